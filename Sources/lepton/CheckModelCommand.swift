import ArgumentParser
import Foundation
import LeptonServe

/// `lepton check-model FOLDER` (hidden): loads one model version folder as `lepton serve` would
/// and exits 0, or prints `error: <reason>` and exits 1. `lepton serve` runs it in a child
/// process before loading a version itself, so a model file that stops its loader stops only
/// the child and the version is reported unavailable.
struct CheckModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-model", abstract: "Load a model version folder as lepton serve does (used by lepton serve).",
        shouldDisplay: false)

    @Argument(help: "A version folder: <repo>/<model>/<version>/.")
    var folder: String

    func run() throws {
        let url = URL(fileURLWithPath: folder)
        let loaders: [any InferenceModelLoader] = [ONNXModelLoader(), LeptonModelLoader()]
        guard let loader = loaders.first(where: { $0.canLoad(url) }) else {
            throw ServeError.badRequest("no model file recognised in \(folder)")
        }
        _ = try loader.load(url, config: ModelConfig())
    }

    /// The check `lepton serve` installs: this executable's `check-model`.
    static func processCheck() -> ProcessLoadCheck {
        let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return ProcessLoadCheck(executable: executable, arguments: ["check-model"])
    }
}
