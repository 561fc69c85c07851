import Foundation
import HTTPTypes
import Hummingbird
import LeptonPlatform

/// One route of the API: method, path (`:name` for parameters), the least role that may call
/// it, and what it does. The table is the single source of the roles: routes check them, the
/// OpenAPI document lists them and the authorization tests walk them.
public struct PlatformRoute: Sendable, Hashable {
    /// The HTTP method.
    public let method: HTTPRequest.Method
    /// The path, with `:name` parameters.
    public let path: String
    /// The least role that may call it.
    public let role: Role
    /// What it does.
    public let summary: String
}

/// Registers routes on a router, each behind its role check, and remembers them.
struct PlatformRouteTable {
    typealias Handler = @Sendable (Request, PlatformRequestContext, Principal) async throws -> Response
    let router: Router<PlatformRequestContext>
    /// The routes added so far, also read by the audit middleware.
    let patterns: RoutePatterns
    var routes: [PlatformRoute] { patterns.routes }

    init(router: Router<PlatformRequestContext>, patterns: RoutePatterns) {
        self.router = router
        self.patterns = patterns
    }

    /// Adds `method path`, callable by keys whose role includes `role`.
    func add(_ method: HTTPRequest.Method, _ path: String, role: Role, _ summary: String, handler: @escaping Handler) {
        let route = PlatformRoute(method: method, path: path, role: role, summary: summary)
        patterns.append(route)
        router.on(RouterPath(path), method: method) { request, context in
            guard let principal = context.identity.principal else {
                throw PlatformError(.unauthenticated, "missing Authorization: Bearer <key> header")
            }
            try principal.require(role, for: "\(method) \(path) (\(summary))")
            return try await handler(request, context, principal)
        }
    }
}

/// The routes of the API, to name the route pattern of any request — also of one refused by the
/// auth middleware before the router resolved it (the audit log names `POST /api/v1/keys/:id`,
/// not each key's path).
final class RoutePatterns: @unchecked Sendable {
    /// A route with its path split once into segments (`:name` segments match any non-empty one).
    private struct Entry {
        let route: PlatformRoute
        let segments: [Substring]
    }

    private let lock = NSLock()
    private var stored: [Entry] = []

    var routes: [PlatformRoute] {
        lock.lock(); defer { lock.unlock() }
        return stored.map(\.route)
    }

    func append(_ route: PlatformRoute) {
        let entry = Entry(route: route, segments: route.path.split(separator: "/", omittingEmptySubsequences: false))
        lock.lock(); stored.append(entry); lock.unlock()
    }

    /// The pattern of the route `method path` would reach, if any.
    func pattern(method: HTTPRequest.Method, path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        lock.lock(); defer { lock.unlock() }
        return stored.first { entry in
            entry.route.method == method && entry.segments.count == parts.count
                && zip(entry.segments, parts).allSatisfy { $0.first == ":" ? !$1.isEmpty : $0 == $1 }
        }?.route.path
    }
}

extension Request {
    /// The path parameter `name` (present whenever the route matched).
    func parameter(_ name: String, of context: PlatformRequestContext) throws -> String {
        guard let value = context.parameters.get(name) else {
            throw PlatformError(.badRequest, "missing path parameter \(name)")
        }
        return value
    }

    /// An integer query parameter, `defaultValue` when absent.
    func integerQuery(_ name: String, default defaultValue: Int) throws -> Int {
        guard let text = uri.queryParameters.get(name) else { return defaultValue }
        guard let value = Int(text) else {
            throw PlatformError(.badRequest, "query parameter \(name)=\(text) is not an integer")
        }
        return value
    }
}
