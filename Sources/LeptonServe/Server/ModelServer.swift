import Foundation
import HTTPTypes
import Hummingbird
import LeptonHTTP
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The model server: a Hummingbird application speaking the KServe V2 / Triton HTTP protocol over a
/// ``ModelRepository``, with bearer-token auth, a body size limit, per-request timeouts,
/// Prometheus metrics, an OpenAPI document and graceful shutdown on SIGTERM/SIGINT.
///
/// ```swift
/// let server = ModelServer(options: ServeOptions(repository: URL(fileURLWithPath: "models"), port: 8000))
/// try await server.run()   // until SIGTERM; in-flight requests finish first
/// ```
public final class ModelServer: Sendable {
    /// The version reported by `GET /v2`.
    public static let version = "0.1.0"

    /// How the server was configured.
    public let options: ServeOptions
    /// The models it serves.
    public let repository: ModelRepository
    /// Its Prometheus metrics.
    public let metrics: ServeMetrics
    /// Its logger (request logs carry `hb.request.id`).
    public let logger: Logger
    private let readyFlag = ReadyFlag()

    /// Creates a server; nothing is loaded or bound until ``run(onListening:)``.
    public init(options: ServeOptions, metrics: ServeMetrics = ServeMetrics(), logger: Logger = Logger(label: "lepton.serve")) {
        self.options = options
        self.metrics = metrics
        self.logger = logger
        repository = ModelRepository(root: options.repository, loaders: options.loaders, defaults: options.defaults,
                                     loadCheck: options.loadCheck, metrics: metrics, logger: logger)
    }

    /// Runs Swift Concurrency's jobs on NIO's shared event loops instead of a separate thread
    /// pool, so a request no longer hops between the loop that reads it and the pool that handles
    /// it. Call once, at the start of a serving process, before tasks are created; forward passes
    /// still run on the batchers' own threads.
    /// - Returns: whether the hook could be installed (false: the default pool stays in use).
    public static func runConcurrencyOnEventLoops() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    /// Whether the initial models have been loaded.
    public var isReady: Bool { readyFlag.value }

    /// Loads every model of the repository and marks the server ready.
    public func loadRepository() async {
        await repository.loadAll()
        readyFlag.value = true
    }

    /// The router with every route and middleware (also used by in-process tests).
    public func buildRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ErrorAndAccessLogMiddleware())
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: BearerAuthMiddleware(tokens: options.tokens, adminTokens: options.adminTokens))
        router.get("/healthz") { _, _ in jsonResponse(data: Data("{\"status\":\"ok\"}".utf8)) }
        router.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: self.metrics.exposition())))
        }
        router.get("/openapi.json") { _, _ in jsonResponse(data: Data(OpenAPIDocument.json.utf8)) }
        V2Routes(server: self).register(on: router)
        return router
    }

    /// Loads the repository, listens, and serves until SIGTERM or SIGINT; then stops accepting
    /// connections, lets in-flight requests finish, and returns.
    /// - Parameter onListening: called with the bound port once the server accepts connections.
    public func run(onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        await loadRepository()
        let group = options.ioThreads.map { MultiThreadedEventLoopGroup(numberOfThreads: $0) }
        let app = Application(
            router: buildRouter(),
            server: .http1(configuration: .init(idleTimeout: .seconds(120))),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "lepton-serve"),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            eventLoopGroupProvider: group.map { .shared($0) } ?? .singleton,
            logger: logger
        )
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        await repository.unloadAll()
        try await group?.shutdownGracefully()
        logger.info("server stopped")
    }

    /// The request body, refused with 413 beyond ``ServeOptions/maxBodyBytes`` and with 400 when
    /// the stream ends early (the client closed before sending its `Content-Length`).
    func readBody(_ request: Request) async throws -> [UInt8] {
        let limit = options.maxBodyBytes
        let declared = request.headers[.contentLength]
        if let length = declared.flatMap(Int.init), length > limit {
            throw ServeError.tooLarge("request body of \(length) bytes exceeds the limit of \(limit) bytes")
        }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw ServeError.tooLarge("request body exceeds the limit of \(limit) bytes")
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            let expected = declared.map { " (Content-Length \($0))" } ?? ""
            throw ServeError.badRequest("request body ended before it was complete\(expected): \(error)")
        }
    }

    /// A small JSON object body (empty body: an empty object).
    func readJSONObject(_ request: Request) async throws -> [String: JSONValue] {
        let bytes = try await readBody(request)
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) { return [:] }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)), let object = value.objectValue else {
            throw ServeError.badRequest("malformed request body: expected a JSON object")
        }
        return object
    }
}

/// A thread-safe Boolean.
final class ReadyFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = false
    var value: Bool {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}
