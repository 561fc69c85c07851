import Foundation
import HTTPTypes
import Hummingbird
import LeptonPlatform
import Logging
import NIOCore
import ServiceLifecycle

/// The platform's HTTP API (Hummingbird) over a ``Platform``, whose job scheduler it runs while
/// it serves: JSON REST under `/api/v1`, bearer
/// keys on every route but `/healthz`, request ids, JSON logs (when the process bootstraps
/// them), Prometheus `/metrics`, an OpenAPI document, the web dashboard under `/ui`, and
/// graceful shutdown on SIGTERM/SIGINT.
///
/// ```swift
/// let server = PlatformServer(platform: try Platform(dataFolder: url), host: "127.0.0.1", port: 8080)
/// try await server.run()   // until SIGTERM; in-flight requests finish first
/// ```
public final class PlatformServer: Sendable {
    /// The version in `/healthz` and the OpenAPI document.
    public static let version = "0.1.0"
    /// The domain it serves.
    public let platform: Platform
    /// Address to listen on.
    public let host: String
    /// Port to listen on (0: a free one).
    public let port: Int
    /// Its Prometheus metrics.
    public let metrics: PlatformMetrics
    /// Its logger (request logs carry `hb.request.id`).
    public let logger: Logger
    /// The deployments' replicas and router (`/deployments/<name>/v2/…`).
    public let deployments: DeploymentSupervisor
    /// How long a connection may stay open with no request in progress before it is closed.
    public let idleTimeout: TimeAmount

    /// Creates a server; nothing is bound until ``run(onListening:)``.
    /// - Parameters:
    ///   - replicaExecutable: the `lepton` binary deployment replicas run (default: this executable).
    ///   - idleTimeout: connections with no request in progress for this long are closed.
    public init(platform: Platform, host: String = "127.0.0.1", port: Int = 8080, metrics: PlatformMetrics = PlatformMetrics(),
                logger: Logger = Logger(label: "lepton.platform"), replicaExecutable: String = Platform.currentExecutable,
                idleTimeout: TimeAmount = .seconds(120)) {
        self.platform = platform
        self.idleTimeout = idleTimeout
        self.host = host
        self.port = port
        self.metrics = metrics
        self.logger = logger
        deployments = DeploymentSupervisor(platform: platform, executable: replicaExecutable, logger: logger)
    }

    /// The router with every route and middleware, and the route table.
    public func buildRouter() -> (Router<PlatformRequestContext>, [PlatformRoute]) {
        let router = Router(context: PlatformRequestContext.self)
        let patterns = RoutePatterns()
        router.add(middleware: AuditAndErrorMiddleware(platform: platform, metrics: metrics, patterns: patterns))
        let session = DashboardSession()
        router.add(middleware: DashboardErrorMiddleware(session: session))
        router.add(middleware: AuthMiddleware(keys: platform.keys))
        router.get("/healthz") { _, _ in try jsonResponse(["status": "ok", "version": Self.version]) }
        let table = PlatformRouteTable(router: router, patterns: patterns)
        table.add(.get, "/metrics", role: .viewer, "Prometheus metrics") { _, _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: self.metrics.exposition())))
        }
        KeyRoutes(platform: platform).register(on: table)
        AuditRoutes(platform: platform).register(on: table)
        DatasetRoutes(platform: platform).register(on: table)
        JobRoutes(platform: platform).register(on: table)
        ModelRoutes(platform: platform).register(on: table)
        MarketRoutes(platform: platform).register(on: table)
        DashboardRoutes(platform: platform, session: session, supervisor: deployments).register(on: table)
        DeploymentRoutes(platform: platform, supervisor: deployments).register(on: table)
        let document = PlatformOpenAPI.document(routes: table.routes, version: Self.version)
        table.add(.get, "/openapi.json", role: .viewer, "this API's OpenAPI document") { _, _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: document)))
        }
        return (router, table.routes)
    }

    /// Listens and serves until SIGTERM or SIGINT (or the task is cancelled); then stops accepting
    /// connections, lets in-flight requests finish, and returns.
    /// - Parameter onListening: called with the bound port once the server accepts connections.
    public func run(onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        try await platform.jobs.start()
        await deployments.start()
        let router = DeploymentRouter(supervisor: deployments, metrics: metrics)
        // Idle connections close after `idleTimeout`; the data plane's handler keeps that time
        // (Hummingbird's own would not see the requests it answers).
        let app = Application(
            responder: PlatformResponder(api: buildRouter().0.buildResponder(), deployments: router),
            server: .http1(configuration: .init(additionalChannelHandlers: [DataPlaneHandler(router: router, idleTimeout: self.idleTimeout)])),
            configuration: .init(address: .hostname(host, port: port), serverName: "lepton-platform"),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        do { try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint]) } catch {
            await deployments.stop()
            await platform.jobs.stop()
            throw error
        }
        await deployments.stop()
        await platform.jobs.stop()
        logger.info("platform server stopped")
    }
}
