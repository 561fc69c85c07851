/// An error of the platform a caller can cause, with the kind an API maps to a status code and a
/// message that says what was wrong and what was expected.
///
/// ```swift
/// throw PlatformError(.notFound, "no dataset ds_12 in this workspace; list them with GET /api/v1/datasets")
/// ```
public struct PlatformError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is (an HTTP API answers 400, 401, 403, 404, 409, 413 or 500).
    public enum Kind: String, Sendable {
        /// The request or input is malformed.
        case badRequest
        /// No valid key was given (missing, unknown, expired or revoked).
        case unauthenticated
        /// The key is valid but its role may not do this.
        case forbidden
        /// The resource does not exist in the caller's workspace.
        case notFound
        /// The resource exists already or is in the wrong state.
        case conflict
        /// The input is larger than allowed.
        case tooLarge
        /// Stored data failed its integrity check (tampered or damaged).
        case integrity
        /// Something failed inside the platform.
        case internalError
    }

    /// The kind of failure.
    public let kind: Kind
    /// What was wrong and what was expected.
    public let message: String

    /// Creates an error of `kind` with `message`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
