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
    private(set) var routes: [PlatformRoute] = []

    init(router: Router<PlatformRequestContext>) { self.router = router }

    /// Adds `method path`, callable by keys whose role includes `role`.
    mutating func add(_ method: HTTPRequest.Method, _ path: String, role: Role, _ summary: String, handler: @escaping Handler) {
        let route = PlatformRoute(method: method, path: path, role: role, summary: summary)
        routes.append(route)
        router.on(RouterPath(path), method: method) { request, context in
            guard let principal = context.identity.principal else {
                throw PlatformError(.unauthenticated, "missing Authorization: Bearer <key> header")
            }
            try principal.require(role, for: "\(method) \(path) (\(summary))")
            return try await handler(request, context, principal)
        }
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
