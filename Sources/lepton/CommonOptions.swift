import ArgumentParser
import Foundation
import LeptonTensor
import LeptonServe
import Logging

/// The flags every computing subcommand shares (`--threads`, `--seed`, `--data-dir`,
/// `--log-level`), checked in one place and applied before the command's work starts.
struct CommonOptions: ParsableArguments {
    @Option(help: "Threads for the CPU backend, 1...1024 (default: LEPTON_NUM_THREADS or all cores).")
    var threads: Int?

    @Option(help: "Random seed (weights, dropout, batch order; `train` overrides the config's seed with it).")
    var seed: UInt64?

    @Option(help: ArgumentHelp("Where datasets live (default: LEPTON_DATA_DIR, else ../shared/datasets).", valueName: "folder"))
    var dataDir: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    /// The range `--threads` accepts.
    static let threadRange = 1...1024

    func validate() throws {
        if let threads, !Self.threadRange.contains(threads) {
            throw ValidationError("--threads: expected an integer in \(Self.threadRange.lowerBound)...\(Self.threadRange.upperBound), got \(threads)")
        }
        if let dataDir {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dataDir, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--data-dir \(dataDir): not a folder (expected the folder holding mnist/, faces/, …)")
            }
        }
    }

    /// Sets the thread count, the global seed and the dataset folder (as `LEPTON_DATA_DIR`, so
    /// child processes see it too).
    func apply() {
        if let threads { Lepton.threadCount = threads }
        if let seed { GlobalRandom.seed(seed) }
        if let dataDir { setenv("LEPTON_DATA_DIR", dataDir, 1) }
    }

    /// Routes swift-log messages to standard error at `--log-level`, in `json` lines or as text.
    func bootstrapLogging(json: Bool = false) {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}
