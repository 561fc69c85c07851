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

    @Option(help: "Default largest batch of one forward pass (0: no batching, shapes taken literally, as Triton's max_batch_size 0).")
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

    @Option(help: "File of admin bearer tokens, one per line, for the repository API (index, load, unload); also read from LEPTON_SERVE_ADMIN_TOKENS, comma-separated. Inference tokens get 403 there; with tokens but no admin token the repository API is closed.")
    var adminTokenFile: String?

    @Option(help: "Largest request body in bytes (up to 2 GiB).")
    var maxBodyBytes: Int = 64 << 20

    @Option(help: "Largest size in bytes a gzip/deflate request body may inflate to (checked while inflating; up to 2 GiB).")
    var maxInflatedBytes: Int = 64 << 20

    @Option(help: "Most tensor elements the inputs of one inference request may hold together (up to 268435456).")
    var maxRequestElements: Int = ServeOptions.defaultMaxRequestElements

    @Option(help: "Per-request timeout of inference in seconds (0: none; up to 86400).")
    var requestTimeout: Double = 60

    @Option(help: "Threads of the network event loop (default: one per core).")
    var ioThreads: Int?

    @Flag(help: "Load models only in the server process, without first loading each in a child process (faster, but a model file that crashes its loader then stops the server).")
    var noLoadCheck = false

    @Flag(help: "Run request handlers on the network event loops instead of Swift's default pool (measured: +20 % throughput with batching off, none with it on).")
    var handlersOnEventLoops = false

    @Option(help: "Log format: text or json.")
    var logFormat: String = "text"

    @OptionGroup var common: CommonOptions

    /// Checks every flag before anything starts: one `error:` line naming the flag, the value and
    /// the accepted range, exit status 1.
    func validate() throws {
        typealias Limits = ModelConfig.Limits
        let ranges: [(String, Int?, ClosedRange<Int>)] = [
            ("--port", port, 0...65535), ("--max-batch-size", maxBatchSize, Limits.maxBatchSize),
            ("--max-queue-delay-us", maxQueueDelayUs, Limits.maxQueueDelayMicroseconds), ("--max-queue-size", maxQueueSize, Limits.maxQueueSize),
            ("--instances", instances, Limits.instanceCount), ("--max-body-bytes", maxBodyBytes, 1...(1 << 31)),
            ("--max-inflated-bytes", maxInflatedBytes, 1...(1 << 31)), ("--max-request-elements", maxRequestElements, 1...(1 << 28)),
            ("--io-threads", ioThreads, 1...1024),
        ]
        for case let (flag, value?, range) in ranges where !range.contains(value) {
            throw ValidationError("\(flag): expected an integer in \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
        guard requestTimeout.isFinite, (0...86400).contains(requestTimeout) else {
            throw ValidationError("--request-timeout: expected seconds in 0...86400 (0: none), got \(requestTimeout)")
        }
        guard logFormat == "text" || logFormat == "json" else {
            throw ValidationError("--log-format: expected text or json, got \(logFormat)")
        }
        if handlersOnEventLoops && ioThreads != nil {
            throw ValidationError("--handlers-on-event-loops uses the shared event loops; drop --io-threads")
        }
    }

    func run() async throws {
        let options = try makeOptions()
        common.apply()
        ServerMemory.returnLargeBlocks()
        let onEventLoops = handlersOnEventLoops && ModelServer.runConcurrencyOnEventLoops()
        common.bootstrapLogging(json: logFormat == "json")
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
        let defaults = ModelConfig(maxBatchSize: maxBatchSize, dynamicBatching: !noBatching, maxQueueDelayMicroseconds: maxQueueDelayUs,
                                   maxQueueSize: maxQueueSize, instanceCount: instances)
        let adminTokens = try ServeOptions.readTokens(file: adminTokenFile, environmentVariable: "LEPTON_SERVE_ADMIN_TOKENS", flag: "--admin-token-file")
        // validate() keeps --request-timeout within 0...86400 s, so the conversion cannot overflow.
        let timeout: Duration? = requestTimeout > 0 ? .milliseconds(Int64((requestTimeout * 1000).rounded())) : nil
        return ServeOptions(repository: URL(fileURLWithPath: repository), host: host, port: port, defaults: defaults,
                            tokens: try ServeOptions.readTokens(file: tokenFile), adminTokens: adminTokens, maxBodyBytes: maxBodyBytes,
                            maxInflatedBytes: maxInflatedBytes, maxRequestElements: maxRequestElements, requestTimeout: timeout,
                            loadCheck: noLoadCheck ? nil : CheckModelCommand.processCheck(), ioThreads: ioThreads)
    }
}
