import ArgumentParser
import Foundation
import LeptonPlatform
import LeptonPlatformServer
import Logging

/// `lepton platform serve --data DIR --port N`: serves the platform API until SIGTERM or SIGINT
/// (in-flight requests finish first); logs are JSON lines on standard error.
struct PlatformServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the platform API (/api/v1: keys, audit, datasets, jobs) over HTTP and run its job scheduler."
    )

    @OptionGroup var data: PlatformDataOption

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (0: a free port, printed when listening).")
    var port: Int = 8080

    @Option(help: "Write the bound port to this file once listening.")
    var portFile: String?

    @Option(help: "Largest dataset upload in bytes.")
    var maxUploadBytes: Int = Platform.defaultMaxUploadBytes

    @Option(help: "CPU slots shared by running training jobs (default: the machine's cores).")
    var slots: Int?

    @Option(help: "Remove a finished job's folder (log, trained model already in the registry) this many seconds after it ended (default: keep).")
    var jobTtlSeconds: Double?

    @Option(help: "Log format: json or text.")
    var logFormat: String = "json"

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port: expected an integer in 0...65535, got \(port)") }
        if let slots, !(1...4096).contains(slots) { throw ValidationError("--slots: expected an integer in 1...4096, got \(slots)") }
        if let jobTtlSeconds, !(jobTtlSeconds >= 0) { throw ValidationError("--job-ttl-seconds: expected a number of seconds ≥ 0, got \(jobTtlSeconds)") }
        guard maxUploadBytes > 0 else { throw ValidationError("--max-upload-bytes: expected a positive number of bytes, got \(maxUploadBytes)") }
        guard logFormat == "text" || logFormat == "json" else { throw ValidationError("--log-format: expected text or json, got \(logFormat)") }
    }

    func run() async throws {
        let platform = try Platform(dataFolder: data.url, database: data.database, maxUploadBytes: maxUploadBytes, slots: slots,
                                    jobFolderTTL: jobTtlSeconds)
        common.bootstrapLogging(json: logFormat == "json")
        let server = PlatformServer(platform: platform, host: host, port: port)
        let host = self.host, portFile = self.portFile
        try await server.run { port in
            print("Lepton platform listening on http://\(host):\(port)")
            fflush(stdout)
            if let portFile { try? String(port).write(toFile: portFile, atomically: true, encoding: .utf8) }
        }
    }
}
