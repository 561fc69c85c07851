import ArgumentParser
import LeptonJobs

/// The options `lepton train` and `lepton distill` share: the epochs override and where the
/// trained model goes.
struct TrainingOutputOptions: ParsableArguments {
    @Option(help: "Override the config's epochs.")
    var epochs: Int?

    @Option(help: "Where to save the model (overrides the config's output).")
    var output: String?

    @Flag(help: "Replace a Lepton model folder already at the output path (anything else there is never replaced).")
    var overwrite = false

    @Flag(help: "Run compiled training and evaluation steps (as the config's jit: true): layers lowered onto planned memory with fused epilogues, the rest eager.")
    var jit = false

    /// Job options with these set, the seed of `common` and automatic progress.
    func jobOptions(_ common: CommonOptions) -> TrainingJob.Options {
        var options = TrainingJob.Options()
        options.epochs = epochs
        options.seed = common.seed
        options.output = output
        options.overwrite = overwrite
        if jit { options.jit = true }
        options.verbosity = .auto
        return options
    }
}
