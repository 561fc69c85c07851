import Foundation
import LeptonTestSupport
import LeptonTune
import Testing

/// `lepton tune`: a small study end to end with two worker processes on one SQLite file
/// (reporting twice an epoch), its output lines, continuing it with a second run, the HTML
/// report, and flag errors.
@Suite struct TuneCommandTests {
    static let config = """
    dataset: {name: mnist, train_limit: 256, test_limit: 64}
    model: {layers: [{type: Flatten}, {type: Dense, units: 16, activation: relu}, {type: Dense, units: 10, activation: softmax}]}
    optimizer: {name: adam, learning_rate: 0.001}
    loss: sparse_categorical_crossentropy
    metrics: [accuracy]
    epochs: 2
    batch_size: 64
    validation_split: 0.25
    search:
      optimizer.learning_rate: {type: float, low: 1.0e-3, high: 1.0e-2, log: true}
      model.layers[1].units: {type: int, low: 8, high: 32, step: 8}
    tune: {metric: val_accuracy, pruner: median}

    """

    @Test func aSmallStudyRunsWithTwoWorkersAndContinuesWhenRunAgain() throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-tune")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("tiny.yaml"), output = dir.appendingPathComponent("out")
        try Self.config.replacingOccurrences(of: "pruner: median}", with: "pruner: median, report_every: 0.5}")
            .write(to: file, atomically: true, encoding: .utf8)
        let first = try LeptonExecutable.run(["tune", file.path, "--trials", "4", "--workers", "2", "--output", output.path, "--sampler", "random"])
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        let lines = first.stdout.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("trial ") }.count == 4, "\(lines)")
        let summary = try #require(lines.last)
        let pattern = #/^Study tiny: 4 trials \((\d) complete, (\d) pruned, 0 failed\); best value 0\.\d+ \(trial \d\): \{model\.layers\[1\]\.units: \d+, optimizer\.learning_rate: 0\.\d+\}$/#
        let match = try #require(summary.wholeMatch(of: pattern), "\(summary)")
        #expect(Int(match.1)! + Int(match.2)! == 4)
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("best/model.json").path))
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("study.db").path))
        // Both workers took trials (each writes a log of its own).
        for w in 0..<2 { #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("workers/worker-\(w).log").path)) }
        // Twice an epoch for 2 epochs: complete trials reported steps 1...4, pruned ones stopped before step 4.
        let database = try SQLStudyStorage(path: output.appendingPathComponent("study.db").path)
        let trials = try database.trials(study: try #require(try database.studies().first).id)
        for trial in trials {
            let steps = trial.intermediate.keys.sorted()
            #expect(trial.state == .complete ? steps == [1, 2, 3, 4] : steps.count < 4 && steps == Array(1...steps.count), "\(trial)")
        }

        // The same command with a larger budget continues the same study.
        let second = try LeptonExecutable.run(["tune", file.path, "--trials", "5", "--workers", "1", "--output", output.path, "--sampler", "random"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.split(separator: "\n").filter { $0.hasPrefix("trial 4 ") }.count == 1, "\(second.stdout)")
        #expect(second.stdout.contains("Study tiny: 5 trials ("), "\(second.stdout)")

        let html = dir.appendingPathComponent("report.html")
        let report = try LeptonExecutable.run(["tune", "--report", output.appendingPathComponent("study.db").path, html.path])
        #expect(report.status == 0, "\(report.stderr)")
        let page = try String(contentsOf: html, encoding: .utf8)
        for part in ["<h2>Optimisation history</h2>", "<h2>Intermediate values</h2>", "<h2>Parameter importance</h2>", "<svg", "model.layers[1].units"] {
            #expect(page.contains(part), "report lacks \(part)")
        }
        #expect(!page.contains("http://") || !page.contains("<script"), "self-contained: no scripts")
    }

    @Test func aStudyInPostgreSQLIsSharedByTwoWorkerProcessesAndReported() throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-tune-pg")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("tiny.yaml"), output = dir.appendingPathComponent("out")
        try Self.config.write(to: file, atomically: true, encoding: .utf8)
        let storage = try TestDatabase(.postgresql).url
        let first = try LeptonExecutable.run(["tune", file.path, "--trials", "4", "--workers", "2", "--output", output.path,
                                              "--sampler", "random", "--storage", storage])
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        #expect(first.stdout.contains("Study tiny: 4 trials ("), "\(first.stdout)")
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("study.db").path), "the study is in PostgreSQL")
        let second = try LeptonExecutable.run(["tune", file.path, "--trials", "5", "--workers", "1", "--output", output.path,
                                               "--sampler", "random", "--storage", storage])
        #expect(second.status == 0 && second.stdout.contains("Study tiny: 5 trials ("), "\(second.stdout)\n\(second.stderr)")
        let html = dir.appendingPathComponent("report.html")
        let report = try LeptonExecutable.run(["tune", "--report", storage, html.path])
        #expect(report.status == 0 && (try? String(contentsOf: html, encoding: .utf8))?.contains("<svg") == true, "\(report.stderr)")
    }

    @Test func badFlagsAndFilesGiveOneErrorLine() throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-tune-errors")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("t.yaml")
        try Self.config.write(to: file, atomically: true, encoding: .utf8)
        let oftenFile = dir.appendingPathComponent("often.yaml")
        try Self.config.replacingOccurrences(of: "pruner: median}", with: "pruner: median, report_every: 0.3}")
            .write(to: oftenFile, atomically: true, encoding: .utf8)
        let noSearch = dir.appendingPathComponent("plain.yaml")
        try Self.config.components(separatedBy: "search:")[0].write(to: noSearch, atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["tune", file.path, "--trials", "0"], "--trials: expected a positive integer, got 0"),
            (["tune", file.path, "--workers", "0"], "--workers: expected an integer in 1...64, got 0"),
            (["tune", file.path, "--storage", "postgresql://lepton@127.0.0.1:1/x"], "--storage: postgresql://lepton@127.0.0.1:1/x: cannot connect to PostgreSQL"),
            (["tune", noSearch.path], "search: missing"),
            (["tune", oftenFile.path], "tune.report_every: expected a fraction of an epoch 1/k for a whole k from 1 to 100 (1, 0.5, 0.25, 0.2, 0.1, …), got 0.3"),
            (["tune", file.path, "--sampler", "cma"], "cma"),
            (["tune", "--report", dir.appendingPathComponent("none.db").path, dir.appendingPathComponent("r.html").path], "no such study database"),
        ]
        for (arguments, expected) in cases {
            let (status, _, stderr) = try LeptonExecutable.run(arguments)
            #expect(status != 0, "\(arguments)")
            #expect(stderr.hasPrefix("error: ") && stderr.contains(expected), "\(arguments): \(stderr)")
            #expect(stderr.split(separator: "\n").count == 1, "\(arguments): \(stderr)")
        }
    }
}

/// Killing `lepton tune` with SIGKILL and running the same command again continues the study.
@Suite struct TuneResumeTests {
    @Test func aStudyKilledWithSIGKILLContinuesWhenTheCommandRunsAgain() throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-tune-kill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("slow.yaml"), output = dir.appendingPathComponent("out")
        // Trials of a few seconds each, so that the kill lands while trials are running.
        let config = TuneCommandTests.config.replacingOccurrences(of: "train_limit: 256", with: "train_limit: 20000")
            .replacingOccurrences(of: "epochs: 2", with: "epochs: 30")
        try config.write(to: file, atomically: true, encoding: .utf8)
        let arguments = ["tune", file.path, "--trials", "5", "--workers", "2", "--output", output.path, "--sampler", "random", "--pruner", "none"]
        let log = dir.appendingPathComponent("first.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let first = Process()
        first.executableURL = LeptonExecutable.url
        first.arguments = arguments
        first.standardOutput = try FileHandle(forWritingTo: log)
        try first.run()
        // Wait for the first finished trial and for a trial running after it, then kill the
        // command while that trial's worker trains (workers finishing together could otherwise
        // be killed between two trials, leaving nothing running to recover).
        let deadline = Date().addingTimeInterval(120)
        var running: [FrozenTrial] = []
        while Date() < deadline {
            if try String(contentsOf: log, encoding: .utf8).contains("\ntrial ") {
                let database = try SQLStudyStorage(path: output.appendingPathComponent("study.db").path)
                let study = try #require(try database.studies().first)
                running = try database.trials(study: study.id).filter { $0.state == .running && $0.worker != nil }
                if !running.isEmpty { break }
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(!running.isEmpty, "no trial was running after the first finished one")
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        // The workers notice their parent is gone and end.
        while Date() < deadline, running.contains(where: { !$0.worker!.isDeadOnThisHost }) { Thread.sleep(forTimeInterval: 0.05) }
        let before = try String(contentsOf: log, encoding: .utf8)
        let finishedBefore = before.split(separator: "\n").filter { $0.hasPrefix("trial ") }.count
        #expect(finishedBefore >= 1 && finishedBefore < 5, "\(before)")

        let second = try LeptonExecutable.run(arguments)
        #expect(second.status == 0, "\(second.stderr)")
        let lines = second.stdout.split(separator: "\n").map(String.init)
        let recovered = lines.filter { $0.contains("(worker died") }
        #expect(!recovered.isEmpty, "the killed run's running trials are marked failed: \(second.stdout)")
        let summary = try #require(lines.last)
        // Five trials finished on their own, plus the failed ones the killed workers left.
        let match = try #require(summary.wholeMatch(of: #/Study slow: (\d+) trials \((\d+) complete, 0 pruned, (\d+) failed\); best value .*/#), "\(summary)")
        #expect(Int(match.2)! == 5, "\(summary)")
        #expect(Int(match.3)! == recovered.count && Int(match.1)! == 5 + recovered.count, "\(summary)")
    }
}
