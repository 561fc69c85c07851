import Foundation
import LeptonIO
import LeptonTensor
import LeptonTestSupport
import Testing

/// `lepton train` under a real `mpirun -np 2 --oversubscribe` (and once under Slurm's `srun
/// --mpi=pmix`): the exactness of data-parallel training, the start-up agreement check, and a
/// rank that dies. These tests need OpenMPI
/// (`scripts/setup.sh` installs it); without `mpirun` they fail and say so.
@Suite(.serialized) struct DistributedTrainingTests {
    /// A small CNN on the first 640 MNIST training images, one epoch, no shuffle-dependent layers
    /// (no dropout, no batch norm), so one process and two must take the same steps.
    func config(batchSize: Int, epochs: Int = 1, trainLimit: Int = 640) -> String {
        """
        dataset: {name: mnist, train_limit: \(trainLimit), test_limit: 256}
        model:
          input_shape: [28, 28, 1]
          layers:
            - {type: Conv2D, filters: 8, kernel_size: [3, 3], activation: relu}
            - {type: MaxPooling2D, pool_size: [2, 2]}
            - {type: Flatten}
            - {type: Dense, units: 10, activation: softmax}
        optimizer: {name: adam, learning_rate: 0.002}
        loss: sparse_categorical_crossentropy
        metrics: [accuracy]
        epochs: \(epochs)
        batch_size: \(batchSize)
        seed: 7

        """
    }

    /// `mpirun`, or a failure telling how to install it.
    func mpirun() throws -> URL {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("mpirun")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw MissingMPI()
    }

    struct MissingMPI: Error, CustomStringConvertible {
        var description: String { "mpirun not found on the PATH: run scripts/setup.sh (installs Debian's openmpi-bin and libopenmpi-dev)" }
    }

    /// Starts `mpirun arguments` (as root when the tests run as root, which OpenMPI refuses unless told).
    func startMPI(_ arguments: [String], output: Pipe, error: Pipe) throws -> Process {
        let process = Process()
        process.executableURL = try mpirun()
        process.arguments = ["--oversubscribe", "--bind-to", "none"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        environment["OMPI_MCA_btl"] = "self,vader"        // one machine: shared memory, no network probing
        process.environment = environment
        process.standardOutput = output
        process.standardError = error
        try process.run()
        return process
    }

    func runMPI(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let out = Pipe(), err = Pipe()
        let process = try startMPI(arguments, output: out, error: err)
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    func write(_ text: String, _ url: URL) throws { try text.write(to: url, atomically: true, encoding: .utf8) }

    /// The largest absolute difference between the weights of two saved models (same names and shapes).
    func largestWeightDifference(_ first: URL, _ second: URL) throws -> Float {
        let a = try Safetensors.read(first.appendingPathComponent("model.safetensors")).tensors
        let b = try Safetensors.read(second.appendingPathComponent("model.safetensors")).tensors
        #expect(a.keys.sorted() == b.keys.sorted() && !a.isEmpty)
        var largest: Float = 0
        for (name, tensor) in a {
            guard let other = b[name], other.shape == tensor.shape else { Issue.record("\(name) differs in shape"); continue }
            for (x, y) in zip(tensor.scalars, other.scalars) { largest = max(largest, abs(x - y)) }
        }
        return largest
    }

    /// Writes the 1 × 32 and 2 × 16 configs to `dir` and trains the first in one process into
    /// `dir/one`; returns the 2 × 16 config for the ranks (their model goes to `dir/two`).
    func trainOneProcessOfThirtyTwo(in dir: URL) throws -> (one: URL, two: URL) {
        let one = dir.appendingPathComponent("one.yaml"), two = dir.appendingPathComponent("two.yaml")
        try write(config(batchSize: 32), one)
        try write(config(batchSize: 16), two)
        let single = try LeptonExecutable.run(["train", one.path, "--threads", "1", "--output", dir.appendingPathComponent("one").path])
        #expect(single.status == 0, "\(single.stderr)")
        return (one, two)
    }

    /// Under Slurm's `srun --mpi=pmix` (a one-node cluster started in a temporary folder by
    /// `scripts/slurm.sh`) the job runs as under `mpirun`: two ranks, the weights of one process
    /// with the global batch.
    @Test func srunWithPMIxTrainsAsMpirunDoes() throws {
        let cluster = try SlurmCluster.start()
        defer { cluster.stop() }
        let dir = try LeptonExecutable.scratchFolder("lepton-srun")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (_, two) = try trainOneProcessOfThirtyTwo(in: dir)
        let pair = try SlurmCluster.execute("/usr/bin/env", ["srun", "--mpi=pmix", "-n", "2", LeptonExecutable.url.path, "train", two.path,
                                                             "--output", dir.appendingPathComponent("two").path],
                                            environment: ["SLURM_CONF": cluster.configuration.path])
        #expect(pair.status == 0, "\(pair.output)")
        #expect(pair.output.contains("ranks: 2, global batch: 32"), "\(pair.output)")
        let largest = try largestWeightDifference(dir.appendingPathComponent("one"), dir.appendingPathComponent("two"))
        #expect(largest <= 1e-5, "max abs difference of the weights: \(largest)")
    }

    @Test func twoRanksOfSixteenGiveTheWeightsOfOneRankOfThirtyTwo() throws {
        _ = try mpirun()
        let dir = try LeptonExecutable.scratchFolder("lepton-dp")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (one, two) = try trainOneProcessOfThirtyTwo(in: dir)
        let pair = try runMPI(["-np", "2", LeptonExecutable.url.path, "train", two.path, "--output", dir.appendingPathComponent("two").path])
        #expect(pair.status == 0, "\(pair.stderr)")
        #expect(pair.stdout.contains("ranks: 2, global batch: 32"), "\(pair.stdout)")
        #expect(pair.stdout.components(separatedBy: "Trained in").count == 2, "rank 0 alone reports: \(pair.stdout)")
        let largest = try largestWeightDifference(dir.appendingPathComponent("one"), dir.appendingPathComponent("two"))
        #expect(largest <= 1e-5, "max abs difference of the weights: \(largest)")
        let a = try Safetensors.read(dir.appendingPathComponent("one/model.safetensors")).tensors
        // One process on its own is repeatable (the comparison above means something).
        let initial = try LeptonExecutable.run(["train", one.path, "--threads", "1", "--epochs", "1", "--output", dir.appendingPathComponent("again").path])
        #expect(initial.status == 0)
        let again = try Safetensors.read(dir.appendingPathComponent("again/model.safetensors")).tensors
        #expect(again.keys.allSatisfy { again[$0]!.scalars == a[$0]!.scalars }, "one process is repeatable")
        #expect(pair.stdout.contains("accuracy:"))
    }

    @Test func ranksWithDifferentConfigsStopWithAClearError() throws {
        _ = try mpirun()
        let dir = try LeptonExecutable.scratchFolder("lepton-dp-mismatch")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.yaml"), b = dir.appendingPathComponent("b.yaml")
        try write(config(batchSize: 16), a)
        try write(config(batchSize: 16).replacingOccurrences(of: "filters: 8", with: "filters: 4"), b)
        let exe = LeptonExecutable.url.path
        let start = Date()
        let run = try runMPI(["-np", "1", exe, "train", a.path, ":", "-np", "1", exe, "train", b.path])
        #expect(run.status != 0)
        #expect(run.stderr.contains("the ranks disagree on the configuration") && run.stderr.contains("rank(s) 1"), "\(run.stderr)")
        #expect(Date().timeIntervalSince(start) < 30)
    }

    /// The process of rank `rank` under a running `mpirun` (waits up to 20 s for it).
    func rankProcess(_ rank: Int, under mpirun: Process) throws -> Int32 {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            for child in Self.children(of: mpirun.processIdentifier)
            where Self.environment(of: child)["OMPI_COMM_WORLD_RANK"] == String(rank) { return child }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw DistributedError("no process of rank \(rank) appeared under mpirun")
    }

    struct DistributedError: Error, CustomStringConvertible { let description: String; init(_ d: String) { description = d } }

    /// Waits for `mpirun` to end; returns its status, its standard error and the seconds since `since`.
    func finish(_ mpirun: Process, out: Pipe, err: Pipe, since: Date) -> (status: Int32, stderr: String, seconds: Double) {
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        _ = out.fileHandleForReading.readDataToEndOfFile()
        mpirun.waitUntilExit()
        return (mpirun.terminationStatus, String(decoding: stderr, as: UTF8.self), Date().timeIntervalSince(since))
    }

    @Test func aRankThatDiesEndsTheJobNamingItAndTheRestartResumes() throws {
        _ = try mpirun()
        let dir = try LeptonExecutable.scratchFolder("lepton-dp-kill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("long.yaml"), backup = dir.appendingPathComponent("backup")
        try write(config(batchSize: 16, epochs: 6, trainLimit: 2048), file)
        let arguments = ["-np", "2", LeptonExecutable.url.path, "train", file.path, "--backup-dir", backup.path]
        let out = Pipe(), err = Pipe()
        let job = try startMPI(arguments, output: out, error: err)
        let victim = try rankProcess(1, under: job)
        // Kill rank 1 once rank 0 has backed the first epoch up.
        let deadline = Date().addingTimeInterval(40)
        while !FileManager.default.fileExists(atPath: backup.appendingPathComponent("latest").path) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let killed = Date()
        kill(victim, SIGKILL)
        let ended = finish(job, out: out, err: err, since: killed)
        #expect(ended.status != 0)
        #expect(ended.seconds < 30, "the job took \(ended.seconds) s to end after rank 1 died")
        #expect(ended.stderr.contains("rank 1"), "\(ended.stderr)")
        // Started again, every rank restores the backup and training goes on from there.
        let restart = try runMPI(arguments)
        #expect(restart.status == 0, "\(restart.stderr)")
        #expect(restart.stdout.contains("Resuming from the backup in \(backup.path)"), "\(restart.stdout)")
        #expect(restart.stdout.contains("Epoch 6/6") && !restart.stdout.contains("Epoch 1/6"), "\(restart.stdout)")
    }

    /// Elastic restart: 2 ranks with `--global-batch` are killed after a backup; one process
    /// resumes from it with the same global batch and ends with the weights of an uninterrupted
    /// one-process run.
    @Test func aRestartWithAnotherNumberOfRanksKeepsTheGlobalBatch() throws {
        _ = try mpirun()
        let dir = try LeptonExecutable.scratchFolder("lepton-dp-elastic")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("c.yaml"), backup = dir.appendingPathComponent("backup")
        try write(config(batchSize: 32, epochs: 3, trainLimit: 2048), file)
        let whole = try LeptonExecutable.run(["train", file.path, "--threads", "1", "--output", dir.appendingPathComponent("whole").path])
        #expect(whole.status == 0, "\(whole.stderr)")
        let out = Pipe(), err = Pipe()
        let job = try startMPI(["-np", "2", LeptonExecutable.url.path, "train", file.path, "--global-batch", "--backup-dir", backup.path],
                               output: out, error: err)
        let victim = try rankProcess(1, under: job)
        let deadline = Date().addingTimeInterval(40)
        while !FileManager.default.fileExists(atPath: backup.appendingPathComponent("latest").path) && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        kill(victim, SIGKILL)
        let ended = finish(job, out: out, err: err, since: Date())
        try #require(ended.status != 0, "the 2-rank run ended before it could be interrupted")
        let resumed = try LeptonExecutable.run(["train", file.path, "--global-batch", "--threads", "1", "--backup-dir", backup.path,
                                                "--output", dir.appendingPathComponent("resumed").path])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("Resuming from the backup"), "\(resumed.stdout)")
        let a = try Safetensors.read(dir.appendingPathComponent("whole/model.safetensors")).tensors
        let b = try Safetensors.read(dir.appendingPathComponent("resumed/model.safetensors")).tensors
        var largest: Float = 0
        for (name, tensor) in a {
            for (x, y) in zip(tensor.scalars, b[name]?.scalars ?? []) { largest = max(largest, abs(x - y)) }
        }
        #expect(a.keys.sorted() == b.keys.sorted() && largest <= 1e-5, "max abs difference after the elastic restart: \(largest)")
    }

    @Test func aRankThatHangsEndsTheJobAfterTheTimeout() throws {
        _ = try mpirun()
        let dir = try LeptonExecutable.scratchFolder("lepton-dp-hang")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("long.yaml")
        try write(config(batchSize: 16, epochs: 50, trainLimit: 2048), file)
        let out = Pipe(), err = Pipe()
        let job = try startMPI(["-np", "2", LeptonExecutable.url.path, "train", file.path, "--rank-timeout", "3"], output: out, error: err)
        let victim = try rankProcess(1, under: job)
        defer { kill(victim, SIGKILL) }
        Thread.sleep(forTimeInterval: 2)
        let stopped = Date()
        kill(victim, SIGSTOP)                 // rank 1 hangs: alive, but never answers again
        let ended = finish(job, out: out, err: err, since: stopped)
        #expect(ended.status != 0)
        #expect(ended.seconds < 30, "the job took \(ended.seconds) s to end after rank 1 hung")
        #expect(ended.stderr.contains("error: rank 0: MPI_") && ended.stderr.contains("made no progress for 3 s"), "\(ended.stderr)")
    }

    @Test func badDistributedFlagsAndAMissingMPIrunGiveOneClearLine() throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-dp-flags")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("c.yaml")
        try write(config(batchSize: 16), file)
        for (flags, expected) in [(["--workers", "0"], "--workers: expected an integer in 1...256, got 0"),
                                  (["--bucket-mb", "0"], "--bucket-mb: expected a number of megabytes in (0, 4096], got 0.0"),
                                  (["--rank-timeout", "0"], "--rank-timeout: expected at least 1 second, got 0.0")] {
            let run = try LeptonExecutable.run(["train", file.path] + flags)
            #expect(run.status == 1 && run.stderr.hasPrefix("error: ") && run.stderr.contains(expected), "\(flags): \(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1, "\(flags): \(run.stderr)")
        }
        // --workers without mpirun on the PATH says how to get it.
        let process = Process()
        process.executableURL = LeptonExecutable.url
        process.arguments = ["train", file.path, "--workers", "2"]
        process.environment = ["PATH": dir.path, "HOME": dir.path]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(stderr.contains("mpirun not found on the PATH; install OpenMPI with scripts/setup.sh"), "\(stderr)")
    }

    /// The processes whose parent is `pid` (from /proc).
    static func children(of pid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == pid
        }.sorted()
    }

    /// The environment of process `pid` (from /proc).
    static func environment(of pid: Int32) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return [:] }
        var result: [String: String] = [:]
        for entry in data.split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            if let equals = text.firstIndex(of: "=") { result[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
        }
        return result
    }
}
