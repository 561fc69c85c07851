import Foundation

/// An error the server answers with: an HTTP status and a message that says what was wrong.
///
/// Every failing request gets `{"error": "<message>"}` with this status (see
/// ``ErrorMiddleware``), so clients such as `tritonclient` show the message.
public struct ServeError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The HTTP status code (4xx for the client's mistakes, 5xx for the server's).
    public let status: Int
    /// What was wrong and, where it helps, what was expected.
    public let message: String

    /// Creates an error with a status code and message.
    public init(status: Int, _ message: String) {
        self.status = status
        self.message = message
    }

    /// The message.
    public var description: String { message }

    /// 400: the request is malformed or does not fit the model.
    public static func badRequest(_ message: String) -> ServeError { ServeError(status: 400, message) }
    /// 401: a bearer token is required and none was sent.
    public static func unauthorized(_ message: String) -> ServeError { ServeError(status: 401, message) }
    /// 403: the bearer token is not one of the server's.
    public static func forbidden(_ message: String) -> ServeError { ServeError(status: 403, message) }
    /// 404: no such model, version or route.
    public static func notFound(_ message: String) -> ServeError { ServeError(status: 404, message) }
    /// 413: the body is larger than the server's limit.
    public static func tooLarge(_ message: String) -> ServeError { ServeError(status: 413, message) }
    /// 500: the model failed while running.
    public static func internalError(_ message: String) -> ServeError { ServeError(status: 500, message) }
    /// 503: the model's queue is full or the server is shutting down.
    public static func unavailable(_ message: String) -> ServeError { ServeError(status: 503, message) }
    /// 504: the request did not finish within the server's per-request timeout.
    public static func timeout(_ message: String) -> ServeError { ServeError(status: 504, message) }

    /// The JSON body `{"error": message}`.
    public var body: Data {
        (try? JSONSerialization.data(withJSONObject: ["error": message], options: [.withoutEscapingSlashes])) ?? Data("{\"error\": \"internal error\"}".utf8)
    }
}
