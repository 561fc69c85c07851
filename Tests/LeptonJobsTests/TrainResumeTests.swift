import Foundation
import LeptonTestSupport
import Testing

/// `lepton train --backup-dir`: a run killed mid-training, then killed again while writing its
/// backup (a file-size limit makes the write fail half-way), continues when started again and
/// ends with the same model, byte for byte, as a run that was never interrupted.
@Suite(.serialized) struct TrainResumeTests {
    let config = """
    dataset: {name: mnist, standardize: true, train_limit: 8000, test_limit: 500}
    model:
      input_shape: [28, 28, 1]
      layers:
        - {type: Flatten}
        - {type: Dense, units: 64, activation: relu}
        - {type: Dropout, rate: 0.2}
        - {type: BatchNormalization}
        - {type: Dense, units: 10, activation: softmax}
    optimizer: {name: adam, learning_rate: 0.002}
    loss: sparse_categorical_crossentropy
    metrics: [accuracy]
    epochs: 6
    batch_size: 64
    validation_split: 0.1
    seed: 7
    callbacks:
      - {type: ReduceLROnPlateau, monitor: val_loss, patience: 1, factor: 0.5}
      - {type: StepDecay, factor: 0.9}
    """

    /// Starts `lepton`, output to files.
    func start(_ arguments: [String], in dir: URL, name: String) throws -> Process {
        let process = Process()
        process.executableURL = LeptonExecutable.url
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("\(name).out").path, contents: nil)
        _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("\(name).err").path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: dir.appendingPathComponent("\(name).out"))
        process.standardError = try FileHandle(forWritingTo: dir.appendingPathComponent("\(name).err"))
        try process.run()
        return process
    }

    /// Sets another process's file-size limit (glibc's `prlimit`, which Swift's Glibc module
    /// does not import).
    static func limitFileSize(of pid: pid_t, to bytes: UInt) -> Bool {
        typealias Prlimit = @convention(c) (pid_t, Int32, UnsafePointer<rlimit>?, UnsafeMutablePointer<rlimit>?) -> Int32
        guard let symbol = dlsym(nil, "prlimit") else { return false }
        var limit = rlimit(rlim_cur: rlim_t(bytes), rlim_max: rlim_t(bytes))
        return unsafeBitCast(symbol, to: Prlimit.self)(pid, Int32(RLIMIT_FSIZE.rawValue), &limit, nil) == 0
    }

    func output(_ dir: URL, _ name: String) -> String {
        ((try? String(contentsOf: dir.appendingPathComponent("\(name).out"), encoding: .utf8)) ?? "")
            + ((try? String(contentsOf: dir.appendingPathComponent("\(name).err"), encoding: .utf8)) ?? "")
    }

    /// `epochs_completed` of the backup in `backup`, nil when there is none.
    func backedUpEpochs(_ backup: URL) -> Int? {
        let manifest = backup.appendingPathComponent("latest/checkpoint.json")
        guard let data = FileManager.default.contents(atPath: manifest.path),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return json["epochs_completed"] as? Int
    }

    @Test func aKilledTrainingRunContinuesToTheSameModel() throws {
        guard FileManager.default.isExecutableFile(atPath: LeptonExecutable.url.path) else {
            Issue.record("lepton executable not found at \(LeptonExecutable.url.path)")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-resume-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let configURL = dir.appendingPathComponent("mlp.yaml"), backup = dir.appendingPathComponent("backup")
        try config.write(to: configURL, atomically: true, encoding: .utf8)
        let common = ["train", configURL.path, "--threads", "1"]

        // The uninterrupted reference.
        let reference = try start(common + ["--output", dir.appendingPathComponent("reference").path], in: dir, name: "reference")
        reference.waitUntilExit()
        #expect(reference.terminationStatus == 0, "\(output(dir, "reference"))")

        // Killed (SIGKILL) as soon as its first backup is in place.
        let run = common + ["--output", dir.appendingPathComponent("resumed").path, "--backup-dir", backup.path]
        let killed = try start(run, in: dir, name: "killed")
        let deadline = Date().addingTimeInterval(120)
        while killed.isRunning && backedUpEpochs(backup) == nil && Date() < deadline { usleep(2_000) }
        kill(killed.processIdentifier, SIGKILL)
        killed.waitUntilExit()
        #expect(killed.terminationReason == .uncaughtSignal, "it finished before it could be killed: \(output(dir, "killed"))")
        let done = try #require(backedUpEpochs(backup))
        #expect(done >= 1 && done < 6)

        // Killed again while writing the next backup: once it has read its backup, files of
        // 100 KiB at most (the weights take 200 KiB). The limit is set from outside after the
        // start (prlimit) rather than by `ulimit -f` before it, because a ThreadSanitizer build
        // cannot even start under such a limit.
        let limited = try start(run, in: dir, name: "limited")
        let resumedDeadline = Date().addingTimeInterval(120)
        while limited.isRunning && !output(dir, "limited").contains("Resuming from the backup") && Date() < resumedDeadline { usleep(2_000) }
        #expect(Self.limitFileSize(of: limited.processIdentifier, to: 100 * 1024), "prlimit: errno \(errno)")
        limited.waitUntilExit()
        // Killed by SIGXFSZ, or (when the signal is ignored, as test runners do) stopped by the
        // write's error: either way the backup write failed half-way.
        let limitedLog = output(dir, "limited")
        let killedBySignal = limited.terminationReason == .uncaughtSignal && limited.terminationStatus == SIGXFSZ
        let stoppedByError = limited.terminationStatus == 1 && limitedLog.contains("model.safetensors: cannot be written (write: File too large)")
        #expect(killedBySignal || stoppedByError, "\(limitedLog)")
        #expect(limitedLog.contains("Resuming from the backup in \(backup.path): \(done) of 6 epochs done"))
        #expect(backedUpEpochs(backup) == done, "the previous backup is intact")

        // Started again: it continues, finishes, and deletes its backup.
        let resumed = try start(run, in: dir, name: "resumed")
        resumed.waitUntilExit()
        let log = output(dir, "resumed")
        #expect(resumed.terminationStatus == 0, "\(log)")
        #expect(log.contains("Resuming from the backup in \(backup.path): \(done) of 6 epochs done"), "\(log)")
        #expect(!log.contains("Epoch 1/6") && log.contains("Epoch 6/6"), "\(log)")
        #expect(!FileManager.default.fileExists(atPath: backup.appendingPathComponent("latest").path))
        let weights = "model.safetensors"
        let expected = try Data(contentsOf: dir.appendingPathComponent("reference").appendingPathComponent(weights))
        #expect(try Data(contentsOf: dir.appendingPathComponent("resumed").appendingPathComponent(weights)) == expected,
                "the resumed run ends with the same weights, bit for bit")
        let testLine = { (text: String) in text.split(separator: "\n").first { $0.contains("Test: ") }.map { $0.split(separator: "Test: ").last } }
        #expect(testLine(log) == testLine(output(dir, "reference")), "\(log)")
    }
}
