import Foundation
import HTTPTypes
import Hummingbird
import LeptonHTTP
import LeptonPlatform
import Logging

/// The outermost middleware: turns every error into a JSON answer, adds `X-Request-Id`, writes
/// one JSON log line and the metrics of each request, and appends an audit row for every
/// mutating call (POST, PUT, PATCH, DELETE, whatever its result) and every denied call (401, 403).
struct AuditAndErrorMiddleware: RouterMiddleware {
    typealias Context = PlatformRequestContext
    let platform: Platform
    let metrics: PlatformMetrics
    let patterns: RoutePatterns

    static let mutatingMethods: Set<HTTPRequest.Method> = [.post, .put, .patch, .delete]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let (status, message) = PlatformErrorMapping.describe(error, request: request)
            if status.code >= 500 { context.logger.error("request failed", metadata: ["error": "\(message)"]) }
            response = try jsonResponse(["error": message], status: status)
        }
        response.headers[.requestID] = context.id
        let route = patterns.pattern(method: request.method, path: request.uri.path) ?? (request.uri.path == "/healthz" ? "/healthz" : "unmatched")
        let status = Int(response.status.code)
        if Self.mutatingMethods.contains(request.method) || status == 401 || status == 403 {
            await audit(request, context: context, route: route, status: status)
        }
        metrics.record(method: request.method.rawValue, route: route, status: status, seconds: (ContinuousClock.now - start) / .seconds(1))
        logAccess(context.logger, request: request, status: status, since: start, extra: ["key": "\(context.identity.principal?.keyID ?? "-")"])
        return response
    }

    private func audit(_ request: Request, context: Context, route: String, status: Int) async {
        let principal = context.identity.principal
        let entry = AuditEntry(workspaceID: principal?.workspaceID, keyID: principal?.keyID, action: "\(request.method) \(route)",
                               resource: request.uri.path, result: String(status), requestID: context.id, source: context.sourceAddress)
        do { try await platform.audit.record(entry) } catch {
            context.logger.critical("audit write failed", metadata: ["error": "\(error)", "action": "\(entry.action)"])
        }
    }
}

/// Authenticates `Authorization: Bearer KEY` on every route but `/healthz` (and, under `/ui`,
/// the dashboard's sign-in cookie instead; its sign-in form is open): 401 without a
/// header, with a malformed one, or with a key that is unknown, wrong, expired or revoked.
/// Roles are checked by each route (403).
struct AuthMiddleware: RouterMiddleware {
    typealias Context = PlatformRequestContext
    let keys: KeyService

    static let openPaths: Set<String> = ["/healthz"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.openPaths.contains(request.uri.path) || DashboardSession.isOpen(request.uri.path) { return try await next(request, context) }
        // The dashboard's sign-in cookie counts on the dashboard's own paths only.
        if request.headers[.authorization] == nil, DashboardSession.isDashboard(request.uri.path), let token = DashboardSession.cookieToken(request) {
            context.identity.principal = try await keys.authenticate(token: token)
            return try await next(request, context)
        }
        switch BearerToken(request.headers) {
        case .missing:
            throw PlatformError(.unauthenticated, "missing Authorization: Bearer <key> header; every route but /healthz needs an API key")
        case .malformed:
            throw PlatformError(.unauthenticated, "the Authorization header must be 'Bearer <key>'")
        case .token(let token):
            context.identity.principal = try await keys.authenticate(token: token)
        }
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    /// `X-Content-SHA256`: the SHA-256 of a downloaded dataset version.
    static let contentSHA256 = HTTPField.Name("X-Content-SHA256")!
    /// `X-Job-State`: a job's state when its log was read.
    static let jobState = HTTPField.Name("X-Job-State")!
}
