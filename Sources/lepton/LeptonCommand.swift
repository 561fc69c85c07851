import ArgumentParser

/// The `lepton` command line: one subcommand per file.
@main
struct LeptonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lepton",
        abstract: "Lepton: a deep learning framework and AI platform in Swift.",
        subcommands: [TrainCommand.self, EvaluateCommand.self, PredictCommand.self, SummaryCommand.self, RecommendCommand.self,
                      ExportCommand.self, ImportCommand.self, InspectCommand.self, ServeCommand.self, DemoCommand.self,
                      CheckModelCommand.self]
    )
}
