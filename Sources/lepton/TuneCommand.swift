import ArgumentParser
import Foundation
import LeptonTune

/// `lepton tune CONFIG --trials N --workers K`: tunes the hyperparameters of a training config
/// with a `search:` section. K worker processes (`lepton tune-worker`, 1 thread each unless
/// `--threads` says otherwise) share one study until it holds N finished trials; a line is
/// printed per finished trial and a summary line at the end. Running the same command again
/// continues the same study (trials left running by a killed run are marked failed and run
/// again). The best trial's model is kept in `<output>/best`.
///
/// `lepton tune --report STUDY.db OUT.html` writes a study's report instead.
struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Tune a training config's hyperparameters (its search: section) with parallel worker processes on one study.",
        discussion: """
        --threads is per worker (default 1); --seed seeds the sampler (default: the config's tune.seed), \
        training keeps the config's seed. With --report STUDY_DB, the argument is the HTML file to write: \
        lepton tune --report out/x-tune/study.db report.html
        """
    )

    @Argument(help: "The tuning config (a training config with a search: section); with --report, the HTML file to write.")
    var config: String

    @Option(help: "Finish when the study holds this many finished trials (complete, pruned or failed).")
    var trials = 20

    @Option(help: "Worker processes running trials side by side.")
    var workers = 1

    @Option(help: "Study storage URL (default: sqlite:///<output>/study.db; PostgreSQL is not supported yet).")
    var storage: String?

    @Option(help: "Study name (default: the config file's name without extension).")
    var study: String?

    @Option(help: "Sampler: tpe, gp, random or grid (default: the config's tune.sampler, else tpe).")
    var sampler: SamplerKind?

    @Option(help: "Pruner: none, median, asha or hyperband (default: the config's tune.pruner, else none).")
    var pruner: PrunerKind?

    @Option(help: ArgumentHelp("Tuning output folder: study.db, trials/<number>, best/, workers/ (default: the config's output + \"-tune\", else out/<study>-tune).",
                               valueName: "folder"))
    var output: String?

    @Option(help: ArgumentHelp("Write the HTML report of the study in this SQLite file (or postgresql:// storage) to the file given as the argument.", valueName: "study-db"))
    var report: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard trials >= 1 else { throw ValidationError("--trials: expected a positive integer, got \(trials)") }
        guard (1...64).contains(workers) else { throw ValidationError("--workers: expected an integer in 1...64, got \(workers)") }
    }

    func run() throws {
        if let report {
            try TuneReportWriter.write(database: report, study: study, to: config)
            return
        }
        common.apply()
        let tuning = try TuningConfig.load(config)
        let name = study ?? URL(fileURLWithPath: config).deletingPathExtension().lastPathComponent
        let folder = try output ?? defaultOutput(tuning, studyName: name)
        let storageURL = storage ?? StorageURL.sqlite(path: URL(fileURLWithPath: folder).appendingPathComponent("study.db").path)
        let samplerKind = sampler ?? tuning.sampler, prunerKind = pruner ?? tuning.pruner
        let opened = try Study(name: name, space: tuning.space, direction: tuning.direction, storage: try StorageURL.open(storageURL),
                               sampler: samplerKind.make(seed: common.seed ?? tuning.seed), pruner: try tuning.makePruner(prunerKind))
        print("Study \(name) in \(storageURL): \(trials) trials, \(workers) worker\(workers == 1 ? "" : "s") × \(common.threads ?? 1) thread\((common.threads ?? 1) == 1 ? "" : "s"), sampler \(samplerKind.rawValue), pruner \(prunerKind.rawValue), \(tuning.direction.rawValue) \(tuning.metric)")
        for number in opened.recoveredOnOpen {
            print("trial \(number) failed  (\(Study.workerDied): left running by a run that was stopped; its parameters run again)")
        }
        fflush(stdout)
        var arguments = ["tune-worker", config, "--storage", storageURL, "--study", name, "--trials", "\(trials)", "--output", folder,
                         "--sampler", samplerKind.rawValue, "--pruner", prunerKind.rawValue, "--threads", "\(common.threads ?? 1)",
                         "--log-level", common.logLevel.rawValue]
        if let seed = common.seed { arguments += ["--seed", "\(seed)"] }
        let pool = WorkerPool(study: opened, budget: trials, workers: workers, arguments: arguments,
                              logFolder: URL(fileURLWithPath: folder).appendingPathComponent("workers"))
        try pool.run { print(TuneLines.trial($0)); fflush(stdout) }
        let all = try opened.trials()
        let best = try keepBestModel(all, study: opened, folder: folder)
        if let best { print("Best model (trial \(best.number)): \(URL(fileURLWithPath: folder).appendingPathComponent("best").path)") }
        print(TuneLines.summary(name: name, trials: all, direction: tuning.direction))
    }

    /// `<config output>-tune`, or `out/<study>-tune` when the config names no output.
    private func defaultOutput(_ tuning: TuningConfig, studyName: String) throws -> String {
        if case let .object(root) = tuning.template, case let .string(output)? = root["output"] { return output + "-tune" }
        return "out/\(studyName)-tune"
    }

    /// Trial `number`'s model folder.
    static func trialFolder(_ output: String, _ number: Int) -> String {
        URL(fileURLWithPath: output).appendingPathComponent("trials").appendingPathComponent("\(number)").path
    }

    /// Copies the best trial's model to `<folder>/best` and removes the other trials' models.
    private func keepBestModel(_ trials: [FrozenTrial], study: Study, folder: String) throws -> FrozenTrial? {
        guard let best = try study.bestTrial() else { return nil }
        let files = FileManager.default
        let source = URL(fileURLWithPath: Self.trialFolder(folder, best.number))
        guard files.fileExists(atPath: source.appendingPathComponent("model.json").path) else { return nil }
        let target = URL(fileURLWithPath: folder).appendingPathComponent("best")
        if files.fileExists(atPath: target.path) {
            guard files.fileExists(atPath: target.appendingPathComponent("model.json").path) else {
                throw TuneError("\(target.path): exists and is not a Lepton model folder; refusing to replace it with the best model")
            }
            try files.removeItem(at: target)
        }
        try files.copyItem(at: source, to: target)
        for trial in trials where trial.number != best.number && trial.state.isFinished {
            try? files.removeItem(atPath: Self.trialFolder(folder, trial.number))
        }
        return best
    }
}

/// The lines `lepton tune` prints.
enum TuneLines {
    /// `trial 3 complete  value 0.9712  12.3 s  {lr: 0.001, units: 64}` (the reason of a failure at the end).
    static func trial(_ trial: FrozenTrial) -> String {
        var line = "trial \(trial.number) \(trial.state.rawValue)"
        switch trial.state {
        case .complete: line += "  value \(format(trial.value ?? .nan))"
        case .pruned: line += trial.lastIntermediate.map { "  at step \($0.step) (value \(format($0.value)))" } ?? ""
        default: break
        }
        line += trial.duration.map { String(format: "  %.1f s", $0) } ?? ""
        line += "  \(trial.paramsDescription)"
        if let reason = trial.reason { line += "  (\(reason.split(whereSeparator: \.isNewline).joined(separator: " ")))" }
        return line
    }

    /// `Study NAME: N trials (C complete, P pruned, F failed); best value V (trial T): {params}`.
    static func summary(name: String, trials: [FrozenTrial], direction: StudyDirection) -> String {
        let finished = trials.filter(\.state.isFinished)
        let count = { (state: TrialState) in finished.filter { $0.state == state }.count }
        var line = "Study \(name): \(finished.count) trials (\(count(.complete)) complete, \(count(.pruned)) pruned, \(count(.failed)) failed); "
        let best = finished.filter { $0.state == .complete && $0.value != nil }
            .min { direction.isBetter($0.value!, than: $1.value!) || ($0.value! == $1.value! && $0.number < $1.number) }
        if let best {
            line += "best value \(format(best.value!)) (trial \(best.number)): \(best.paramsDescription)"
        } else {
            line += "no complete trial"
        }
        return line
    }

    static func format(_ value: Double) -> String { String(format: "%.6g", value) }
}
