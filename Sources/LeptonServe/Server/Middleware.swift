import Foundation
import HTTPTypes
import Hummingbird
import LeptonHTTP
import Logging
import NIOCore

/// Turns every error into `{"error": "..."}` with its status, so no request ever ends without an
/// answer that says what was wrong; adds the request id header and writes one structured log
/// line per request (method, path, status, duration, request id).
struct ErrorAndAccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let serveError = Self.serveError(for: error, request: request)
            if serveError.status >= 500 {
                context.logger.error("request failed", metadata: ["error": "\(serveError.message)"])
            }
            response = jsonResponse(data: serveError.body, status: .init(code: serveError.status))
        }
        response.headers[.requestID] = context.id
        logAccess(context.logger, request: request, status: Int(response.status.code), since: start)
        return response
    }

    /// The message and status for any error a handler or Hummingbird can throw.
    static func serveError(for error: any Error, request: Request) -> ServeError {
        if let (status, message) = describeFrameworkError(error, request: request, bodyLimit: "(--max-body-bytes)") {
            return ServeError(status: Int(status.code), message)
        }
        switch error {
        case let error as ServeError:
            return error
        case is CancellationError:
            return .timeout("the request was cancelled before it finished")
        default:
            return .internalError("internal error: \(error)")
        }
    }
}

/// Checks `Authorization: Bearer <token>` against the server's tokens: 401 without a token,
/// 403 with a wrong one. Liveness and readiness probes (`/healthz`, `/v2/health/*`) stay open.
/// The repository API (`/v2/repository/…`) takes only admin tokens once any token is configured
/// (an inference token gets 403 there); admin tokens also pass everywhere else.
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let tokens: Set<String>
    var adminTokens: Set<String> = []

    static func isOpen(_ path: String) -> Bool {
        path == "/healthz" || path.hasPrefix("/v2/health/")
    }

    static func isAdmin(_ path: String) -> Bool {
        path == "/v2/repository" || path.hasPrefix("/v2/repository/")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let admin = Self.isAdmin(path)
        if Self.isOpen(path) || (tokens.isEmpty && adminTokens.isEmpty) || (!admin && tokens.isEmpty) {
            return try await next(request, context)
        }
        let token: String
        switch BearerToken(request.headers) {
        case .missing: throw ServeError.unauthorized("missing Authorization: Bearer <token> header")
        case .malformed: throw ServeError.unauthorized("Authorization header must be 'Bearer <token>'")
        case .token(let value): token = value
        }
        if adminTokens.contains(token) { return try await next(request, context) }
        guard tokens.contains(token) else {
            throw ServeError.forbidden("the bearer token is not valid for this server")
        }
        guard !admin else {
            throw ServeError.forbidden("the repository API (\(path)) needs an admin token (lepton serve --admin-token-file or LEPTON_SERVE_ADMIN_TOKENS); inference tokens may not call it")
        }
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    /// Triton's binary extension header.
    static let inferenceHeaderLength = HTTPField.Name(InferCodec.headerLengthField)!
}

/// The model server's JSON: keys as the V2 protocol spells them, sorted.
enum ServeJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
