import Foundation
import HTTPTypes
import Hummingbird
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
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.info("request", metadata: [
            "method": "\(request.method)", "path": "\(request.uri.path)", "status": "\(response.status.code)",
            "duration_ms": "\(String(format: "%.3f", ms))",
        ])
        return response
    }

    /// The message and status for any error a handler or Hummingbird can throw.
    static func serveError(for error: any Error, request: Request) -> ServeError {
        switch error {
        case let error as ServeError:
            return error
        case let error as HTTPError where error.status == .notFound:
            return .notFound("no route for \(request.method) \(request.uri.path) (see /openapi.json)")
        case let error as HTTPError where error.status == .methodNotAllowed:
            return ServeError(status: 405, "\(request.method) is not allowed on \(request.uri.path)")
        case let error as HTTPError:
            return ServeError(status: Int(error.status.code), error.body ?? error.status.reasonPhrase)
        case is NIOTooManyBytesError:
            return .tooLarge("request body exceeds the server's limit (--max-body-bytes)")
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
        guard let header = request.headers[.authorization] else {
            throw ServeError.unauthorized("missing Authorization: Bearer <token> header")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw ServeError.unauthorized("Authorization header must be 'Bearer <token>'")
        }
        let token = String(parts[1]).trimmingCharacters(in: .whitespaces)
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
    /// `X-Request-Id`: the id of a request in the server's logs.
    static let requestID = HTTPField.Name("X-Request-Id")!
    /// Triton's binary extension header.
    static let inferenceHeaderLength = HTTPField.Name(InferCodec.headerLengthField)!
}

/// A response with a JSON body.
func jsonResponse(data: Data, status: HTTPResponse.Status = .ok) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = "application/json"
    return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
}

/// A response with an `Encodable` value as its JSON body.
func jsonResponse<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return jsonResponse(data: try encoder.encode(value), status: status)
}
