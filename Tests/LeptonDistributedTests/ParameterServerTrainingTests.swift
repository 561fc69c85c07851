import Foundation
import LeptonIO
import LeptonTestSupport
import Testing

/// `lepton train --strategy parameter-server` under a real `mpirun --oversubscribe`: the sync
/// mode takes the steps of one process with the global batch, the async mode keeps its staleness
/// bound and still learns, a rank that dies ends the job, and bad flags are one clear line.
/// These tests need OpenMPI (`scripts/setup.sh` installs it).
@Suite(.serialized) struct ParameterServerTrainingTests {
    let mpi = DistributedTrainingTests()

    func write(_ text: String, _ url: URL) throws { try text.write(to: url, atomically: true, encoding: .utf8) }

    /// The largest absolute difference between the weights of two saved models.
    func largestDifference(_ a: URL, _ b: URL) throws -> Float {
        let x = try Safetensors.read(a.appendingPathComponent("model.safetensors")).tensors
        let y = try Safetensors.read(b.appendingPathComponent("model.safetensors")).tensors
        #expect(x.keys.sorted() == y.keys.sorted() && !x.isEmpty)
        var largest: Float = 0
        for (name, tensor) in x {
            guard let other = y[name], other.shape == tensor.shape else { Issue.record("\(name) differs in shape"); return .infinity }
            for (u, v) in zip(tensor.scalars, other.scalars) { largest = max(largest, abs(u - v)) }
        }
        return largest
    }

    @Test func syncModeGivesTheWeightsOfOneProcessWithTheGlobalBatch() throws {
        _ = try mpi.mpirun()
        let dir = try LeptonExecutable.scratchFolder("lepton-ps-sync")
        defer { try? FileManager.default.removeItem(at: dir) }
        let one = dir.appendingPathComponent("one.yaml"), three = dir.appendingPathComponent("three.yaml")
        try write(mpi.config(batchSize: 48, trainLimit: 960), one)
        try write(mpi.config(batchSize: 16, trainLimit: 960), three)
        let single = try LeptonExecutable.run(["train", one.path, "--threads", "1", "--output", dir.appendingPathComponent("one").path])
        #expect(single.status == 0, "\(single.stderr)")
        let run = try mpi.runMPI(["-np", "3", LeptonExecutable.url.path, "train", three.path, "--strategy", "parameter-server",
                                  "--output", dir.appendingPathComponent("three").path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("ranks: 3, global batch: 48"), "\(run.stdout)")
        #expect(run.stdout.contains("Parameter server (rank 0, sync): 20 updates"), "\(run.stdout)")
        let largest = try largestDifference(dir.appendingPathComponent("one"), dir.appendingPathComponent("three"))
        #expect(largest <= 1e-5, "max abs difference of the weights: \(largest)")
    }

    @Test func asyncModeKeepsItsStalenessBoundAndLearns() throws {
        _ = try mpi.mpirun()
        let dir = try LeptonExecutable.scratchFolder("lepton-ps-async")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("async.yaml")
        try write(mpi.config(batchSize: 16, epochs: 2, trainLimit: 1536), file)
        let run = try mpi.runMPI(["-np", "3", LeptonExecutable.url.path, "train", file.path, "--strategy", "parameter-server",
                                  "--ps-mode", "async", "--staleness", "1"])
        #expect(run.status == 0, "\(run.stderr)")
        // 1536 images / (3 × 16) = 32 steps per epoch on each rank: 3 × 64 updates.
        let report = run.stdout.split(separator: "\n").first { $0.hasPrefix("Parameter server (rank 0, async): 192 updates") }
        #expect(report != nil, "\(run.stdout)")
        let lead = report.flatMap { line in line.range(of: "largest lead ").flatMap { Int(line[$0.upperBound...].prefix { $0.isNumber }) } }
        #expect(lead.map { $0 <= 1 } ?? false, "the lead must stay within the bound: \(report ?? "")")
        let test = run.stdout.split(separator: "\n").first { $0.contains("Trained in") } ?? ""
        let accuracy = test.range(of: "accuracy: ").flatMap { Float(test[$0.upperBound...].prefix { $0 == "." || $0.isNumber }) }
        #expect((accuracy ?? 0) >= 0.7, "test accuracy after 2 asynchronous epochs: \(test)")
    }

    @Test func aRankThatDiesEndsTheParameterServerJob() throws {
        _ = try mpi.mpirun()
        let dir = try LeptonExecutable.scratchFolder("lepton-ps-kill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("long.yaml")
        try write(mpi.config(batchSize: 16, epochs: 50, trainLimit: 2048), file)
        let out = Pipe(), err = Pipe()
        let job = try mpi.startMPI(["-np", "3", LeptonExecutable.url.path, "train", file.path, "--strategy", "parameter-server",
                                    "--ps-mode", "async", "--staleness", "2"], output: out, error: err)
        let victim = try mpi.rankProcess(2, under: job)
        Thread.sleep(forTimeInterval: 3)
        let killed = Date()
        kill(victim, SIGKILL)
        let ended = mpi.finish(job, out: out, err: err, since: killed)
        #expect(ended.status != 0)
        #expect(ended.seconds < 30, "the job took \(ended.seconds) s to end after rank 2 died")
        #expect(ended.stderr.contains("rank 2"), "\(ended.stderr)")
    }

    @Test func badParameterServerFlagsGiveOneClearLine() throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-ps-flags")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("c.yaml")
        try write(mpi.config(batchSize: 16), file)
        let ps = ["--strategy", "parameter-server"]
        for (flags, expected) in [(ps, "parameter server: expected at least 2 ranks (rank 0 serves and trains, the others train), got 1"),
                                  (ps + ["--ps-mode", "async", "--staleness=-1"], "--staleness: expected at least 0 steps, got -1"),
                                  (ps + ["--staleness", "2"], "--staleness: only with --ps-mode async"),
                                  (ps + ["--ps-mode", "fast"], "--ps-mode: expected sync or async, got 'fast'"),
                                  (["--ps-mode", "sync"], "--ps-mode: only with --strategy parameter-server"),
                                  (["--strategy", "gossip"], "--strategy")] {
            let run = try LeptonExecutable.run(["train", file.path] + flags)
            #expect(run.status != 0 && run.stderr.hasPrefix("error: ") && run.stderr.contains(expected), "\(flags): \(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1, "\(flags): \(run.stderr)")
        }
    }
}
