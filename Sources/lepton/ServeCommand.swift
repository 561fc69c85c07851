import ArgumentParser
import Foundation
import LeptonServe
import LeptonTensor
import Logging
import Metrics
import Prometheus

/// `lepton serve --repository DIR --port N`: serves a model repository over the KServe V2 /
/// Triton HTTP protocol until SIGTERM or SIGINT (in-flight requests finish first).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a model repository (<repo>/<model>/<version>/) over the KServe V2 / Triton HTTP protocol."
    )

    @Option(help: "The model repository folder: <repo>/<model>/<version>/ with a Lepton model folder, and an optional <repo>/<model>/config.json.")
    var repository: String

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (0: a free port, printed when listening).")
    var port: Int = 8000

    @Option(help: "Write the bound port to this file once listening.")
    var portFile: String?

    @Option(help: "Default largest batch of one forward pass.")
    var maxBatchSize: Int = 64

    @Option(help: "Default longest wait, in microseconds, for a batch to fill.")
    var maxQueueDelayUs: Int = 500

    @Flag(help: "Turn dynamic batching off by default (one forward pass per request).")
    var noBatching = false

    @Option(help: "Default most requests queued per model version (503 beyond).")
    var maxQueueSize: Int = 1024

    @Option(help: "Default forward passes of one model that may run at once.")
    var instances: Int = 1

    @Option(help: "File of bearer tokens, one per line (tokens are also read from LEPTON_SERVE_TOKENS, comma-separated).")
    var tokenFile: String?

    @Option(help: "Largest request body in bytes.")
    var maxBodyBytes: Int = 64 << 20

    @Option(help: "Per-request timeout of inference in seconds (0: none).")
    var requestTimeout: Double = 60

    @Option(help: "Threads for the CPU backend (default: LEPTON_NUM_THREADS or all cores).")
    var threads: Int?

    @Option(help: "Threads of the network event loop (default: one per core).")
    var ioThreads: Int?

    @Flag(help: "Run request handlers on the network event loops instead of Swift's default pool (measured: +20 % throughput with batching off, none with it on).")
    var handlersOnEventLoops = false

    @Option(help: "Log format: text or json.")
    var logFormat: String = "text"

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func run() async throws {
        let options: ServeOptions
        let level: Logger.Level
        do {
            options = try makeOptions()
            guard let parsed = Logger.Level(rawValue: logLevel) else {
                throw ServeError.badRequest("--log-level: expected trace, debug, info, notice, warning, error or critical, got \(logLevel)")
            }
            level = parsed
            guard logFormat == "text" || logFormat == "json" else {
                throw ServeError.badRequest("--log-format: expected text or json, got \(logFormat)")
            }
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
        if let threads { Lepton.threadCount = threads }
        if handlersOnEventLoops && ioThreads != nil {
            FileHandle.standardError.write(Data("error: --handlers-on-event-loops uses the shared event loops; drop --io-threads\n".utf8))
            throw ExitCode.failure
        }
        let onEventLoops = handlersOnEventLoops && ModelServer.runConcurrencyOnEventLoops()
        let json = logFormat == "json"
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let metrics = ServeMetrics()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics.registry))
        let server = ModelServer(options: options, metrics: metrics, logger: Logger(label: "lepton.serve"))
        server.logger.debug("concurrency executor", metadata: ["executor": "\(onEventLoops ? "NIO event loops" : "default pool")"])
        let host = options.host, portFile = self.portFile
        try await server.run { port in
            print("LeptonServe listening on http://\(host):\(port)")
            fflush(stdout)
            if let portFile { try? String(port).write(toFile: portFile, atomically: true, encoding: .utf8) }
        }
    }

    private func makeOptions() throws -> ServeOptions {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: repository, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ServeError.badRequest("--repository \(repository): not a folder (expected <repo>/<model>/<version>/)")
        }
        for (flag, value, minimum) in [("--port", port, 0), ("--max-batch-size", maxBatchSize, 1), ("--max-queue-delay-us", maxQueueDelayUs, 0),
                                       ("--max-queue-size", maxQueueSize, 1), ("--instances", instances, 1), ("--max-body-bytes", maxBodyBytes, 1),
                                       ("--threads", threads ?? 1, 1), ("--io-threads", ioThreads ?? 1, 1)] where value < minimum {
            throw ServeError.badRequest("\(flag): expected an integer ≥ \(minimum), got \(value)")
        }
        guard port <= 65535 else { throw ServeError.badRequest("--port: expected 0...65535, got \(port)") }
        guard requestTimeout >= 0, requestTimeout.isFinite else {
            throw ServeError.badRequest("--request-timeout: expected seconds ≥ 0, got \(requestTimeout)")
        }
        let defaults = ModelConfig(maxBatchSize: maxBatchSize, dynamicBatching: !noBatching, maxQueueDelayMicroseconds: maxQueueDelayUs,
                                   maxQueueSize: maxQueueSize, instanceCount: instances)
        return ServeOptions(repository: URL(fileURLWithPath: repository), host: host, port: port, defaults: defaults,
                            tokens: try ServeOptions.readTokens(file: tokenFile), maxBodyBytes: maxBodyBytes,
                            requestTimeout: requestTimeout > 0 ? .milliseconds(Int64(requestTimeout * 1000)) : nil,
                            ioThreads: ioThreads)
    }
}
