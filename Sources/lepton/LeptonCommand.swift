import ArgumentParser
import Foundation
import LeptonCompress

/// The `lepton` command line: one subcommand per file.
@main
struct LeptonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lepton",
        abstract: "Lepton: a deep learning framework and AI platform in Swift.",
        subcommands: [TrainCommand.self, EmbedCommand.self, GalleryCommand.self, EvaluateCommand.self, PlotCommand.self,
                      PredictCommand.self, SummaryCommand.self, RecommendCommand.self,
                      ExportCommand.self, ImportCommand.self, InspectCommand.self, ServeCommand.self, DemoCommand.self,
                      PlatformCommand.self,
                      LoginCommand.self, KeyCommand.self, DatasetCommand.self, JobCommand.self, ModelCommand.self, MarketCommand.self, DeployCommand.self,
                      TuneCommand.self, CheckModelCommand.self, TuneWorkerCommand.self, TuneBenchCommand.self, AllReduceBenchCommand.self]
                      + [CompressCommand.self, CompressBenchCommand.self, DistillCommand.self]
                      + [ExplainCommand.self]
    )

    /// Parses and runs a subcommand. Every user error — a flag out of range, a missing file, a
    /// bad config — is one `error: …` line on standard error and exit status 1; help and
    /// `ExitCode`s thrown on purpose behave as ArgumentParser's.
    static func main() async {
        QuantizedLayers.register()   // compressed model folders load in every command
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: CLIError.oneLine(error))
        }
    }
}

/// How the command line reports an error.
enum CLIError {
    /// `error` unchanged when it is help, a version or a deliberate exit code; otherwise an
    /// ``ExitCode/failure`` after writing `error: <message>` as one line on standard error.
    static func oneLine(_ error: Error) -> Error {
        if error is ExitCode || error is CleanExit || LeptonCommand.exitCode(for: error) == .success { return error }
        let message = LeptonCommand.message(for: error).split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitCode.failure
    }
}
