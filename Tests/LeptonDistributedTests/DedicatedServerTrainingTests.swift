import Foundation
import LeptonIO
import LeptonTestSupport
import Testing

/// `lepton train` with a dedicated parameter server (rank 0 only serves, ranks 1…N−1 train)
/// under a real `mpirun --oversubscribe`: sync mode takes the steps of one process with the
/// global batch (and tests every example once), async mode keeps its bound and learns, and rank
/// 0 reports the workers' loss. These tests need OpenMPI (`scripts/setup.sh` installs it).
@Suite(.serialized) struct DedicatedServerTrainingTests {
    let mpi = DistributedTrainingTests()
    let ps = ParameterServerTrainingTests()

    /// The number after `key` in `line` (`loss: 0.1234`).
    func value(_ key: String, in line: Substring) -> Float? {
        line.range(of: key, options: .backwards).flatMap { Float(line[$0.upperBound...].prefix { $0 == "." || $0.isNumber }) }
    }

    /// The line of the test results (`Trained in …, test loss: …`).
    func testLine(_ stdout: String) -> Substring {
        stdout.split(separator: "\n").first { $0.contains("Trained in") } ?? ""
    }

    /// The last progress update of the last epoch (the progress bar rewrites its line with `\r`).
    func lastProgress(_ stdout: String) -> Substring {
        stdout.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).last { $0.contains("loss: ") && !$0.contains("Trained in") } ?? ""
    }

    @Test func syncModeWithADedicatedServerGivesTheWeightsOfOneProcessWithTheGlobalBatch() throws {
        _ = try mpi.mpirun()
        let dir = try LeptonExecutable.scratchFolder("lepton-ps-dedicated-sync")
        defer { try? FileManager.default.removeItem(at: dir) }
        let one = dir.appendingPathComponent("one.yaml"), three = dir.appendingPathComponent("three.yaml")
        try ps.write(mpi.config(batchSize: 32, trainLimit: 960), one)
        // The config asks for 3 processes (lepton starts mpirun itself) and the parameter server; the flag adds the dedicated server.
        try ps.write(mpi.config(batchSize: 16, trainLimit: 960) + "distributed: {workers: 3, strategy: parameter-server}\n", three)
        let single = try LeptonExecutable.run(["train", one.path, "--threads", "1", "--output", dir.appendingPathComponent("one").path])
        #expect(single.status == 0, "\(single.stderr)")
        let run = try LeptonExecutable.run(["train", three.path, "--dedicated-server", "--output", dir.appendingPathComponent("three").path],
                                           environment: ["OMPI_MCA_btl": "self,vader"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("ranks: 3 (rank 0 serves, 2 train), global batch: 32"), "\(run.stdout)")
        // 960 images / (2 workers × 16) = 30 steps, one update each.
        #expect(run.stdout.contains("Parameter server (rank 0, dedicated, sync): 30 updates"), "\(run.stdout)")
        let largest = try ps.largestDifference(dir.appendingPathComponent("one"), dir.appendingPathComponent("three"))
        #expect(largest <= 1e-5, "max abs difference of the weights: \(largest)")
        // The same weights test every example once: the same test loss and accuracy.
        for key in ["Test: loss: ", "accuracy: "] {
            let a = value(key, in: testLine(single.stdout)), b = value(key, in: testLine(run.stdout))
            #expect(a != nil && b != nil && abs(a! - b!) <= 1e-3, "\(key): \(testLine(single.stdout)) vs \(testLine(run.stdout))")
        }
        // Rank 0 trains on nothing but shows the workers' training loss: that of the global batches.
        let a = value("loss: ", in: lastProgress(single.stdout)), b = value("loss: ", in: lastProgress(run.stdout))
        #expect(a != nil && b != nil && abs(a! - b!) <= 1e-3, "\(lastProgress(single.stdout)) vs \(lastProgress(run.stdout))")
    }

    @Test func asyncModeWithADedicatedServerKeepsItsBoundAndLearns() throws {
        _ = try mpi.mpirun()
        let dir = try LeptonExecutable.scratchFolder("lepton-ps-dedicated-async")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("async.yaml")
        try ps.write(mpi.config(batchSize: 16, epochs: 2, trainLimit: 1536), file)
        let run = try mpi.runMPI(["-np", "3", LeptonExecutable.url.path, "train", file.path, "--strategy", "parameter-server",
                                  "--ps-mode", "async", "--staleness", "1", "--dedicated-server"])
        #expect(run.status == 0, "\(run.stderr)")
        // 1536 images / (2 workers × 16) = 48 steps per epoch on each worker: 2 × 96 updates.
        let report = run.stdout.split(separator: "\n").first { $0.hasPrefix("Parameter server (rank 0, dedicated, async): 192 updates") }
        #expect(report != nil, "\(run.stdout)")
        let lead = report.flatMap { value("largest lead ", in: $0) }
        #expect(lead.map { $0 <= 1 } ?? false, "the lead must stay within the bound: \(report ?? "")")
        #expect((value("accuracy: ", in: testLine(run.stdout)) ?? 0) >= 0.7, "test accuracy after 2 asynchronous epochs: \(testLine(run.stdout))")
        // Rank 0 shows the loss the workers reported, not the zero of its own (absent) batches.
        let loss = value("loss: ", in: lastProgress(run.stdout))
        #expect(loss.map { $0 > 0 && $0 < 1.5 } ?? false, "\(lastProgress(run.stdout))")
    }

    @Test func theDedicatedServerSavesTheWorkersBatchNormStatistics() throws {
        _ = try mpi.mpirun()
        let dir = try LeptonExecutable.scratchFolder("lepton-ps-dedicated-bn")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bn.yaml")
        let config = mpi.config(batchSize: 16, trainLimit: 320)
            .replacingOccurrences(of: "activation: relu}", with: "}\n    - {type: BatchNormalization}\n    - {type: Activation, activation: relu}")
        try ps.write(config, file)
        let run = try mpi.runMPI(["-np", "3", LeptonExecutable.url.path, "train", file.path, "--strategy", "parameter-server", "--dedicated-server",
                                  "--output", dir.appendingPathComponent("model").path])
        #expect(run.status == 0, "\(run.stderr)")
        // Rank 0 never runs a training batch: the statistics it saves are rank 1's (zeros and ones when untouched).
        let tensors = try Safetensors.read(dir.appendingPathComponent("model/model.safetensors")).tensors
        let mean = try #require(tensors.first { $0.key.hasSuffix("runningMean") }?.value, "\(tensors.keys.sorted())")
        #expect(mean.scalars.contains { $0 != 0 }, "\(mean.scalars)")
    }

    @Test func aDedicatedServerNeedsTwoProcessesAndTheParameterServer() throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-ps-dedicated-flags")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("c.yaml")
        try ps.write(mpi.config(batchSize: 16), file)
        for (flags, expected) in [(["--strategy", "parameter-server", "--dedicated-server"],
                                   "parameter server: expected at least 2 ranks (rank 0 serves only, the others train), got 1"),
                                  (["--dedicated-server"], "--dedicated-server: only with --strategy parameter-server"),
                                  (["--strategy", "parameter-server", "--dedicated-server", "--workers", "1"],
                                   "--dedicated-server: needs at least 2 processes (rank 0 serves, the others train), got --workers 1")] {
            let run = try LeptonExecutable.run(["train", file.path] + flags)
            #expect(run.status != 0 && run.stderr.hasPrefix("error: ") && run.stderr.contains(expected), "\(flags): \(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1, "\(flags): \(run.stderr)")
        }
    }
}
