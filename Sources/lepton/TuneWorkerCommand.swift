import ArgumentParser
import Foundation
import LeptonTune

/// `lepton tune-worker CONFIG …` (hidden): one worker process of `lepton tune`. It joins the
/// study, and trains trial after trial (each into `<output>/trials/<number>`) until the study
/// holds its budget of trials; `lepton tune` starts several of these on one study.
struct TuneWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune-worker", abstract: "Run trials of a study until its budget is used (started by lepton tune).",
        shouldDisplay: false)

    @Argument(help: "The tuning config.")
    var config: String

    @Option(help: "The study's storage URL.")
    var storage: String

    @Option(help: "The study's name.")
    var study: String

    @Option(help: "The study's budget of trials.")
    var trials: Int

    @Option(help: ArgumentHelp("The tuning output folder (trials train into <output>/trials/<number>).", valueName: "folder"))
    var output: String

    @Option(help: "Sampler: tpe, gp, random, grid.")
    var sampler: SamplerKind

    @Option(help: "Pruner: none, median, asha, hyperband.")
    var pruner: PrunerKind

    @OptionGroup var common: CommonOptions

    func run() throws {
        Self.exitWithParent()
        common.apply()
        let tuning = try TuningConfig.load(config)
        let study = try Study(name: self.study, space: tuning.space, direction: tuning.direction, storage: try StorageURL.open(storage),
                              sampler: sampler.make(seed: common.seed ?? tuning.seed), pruner: try tuning.makePruner(pruner))
        let objective = TrainingObjective(config: tuning, study: study)
        while let trial = try study.ask(budget: trials) {
            objective.run(trial, output: TuneCommand.trialFolder(output, trial.number))
        }
    }
}

extension TuneWorkerCommand {
    /// Ends this worker at once when `lepton tune` goes away (killed, even with SIGKILL): its
    /// running trial stays `running` in the study, and the next `lepton tune` on the study
    /// finds the process gone, marks the trial failed and runs its parameters again.
    static func exitWithParent() {
        let parent = getppid()
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
        timer.schedule(deadline: .now() + 0.5, repeating: 0.5)
        timer.setEventHandler { if getppid() != parent { _exit(3) } }
        timer.resume()
        watchdog = timer
    }

    nonisolated(unsafe) private static var watchdog: DispatchSourceTimer?
}

extension SamplerKind: ExpressibleByArgument {}
extension PrunerKind: ExpressibleByArgument {}
