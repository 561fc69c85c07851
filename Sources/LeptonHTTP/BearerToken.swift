import HTTPTypes

/// What a request's `Authorization` header holds, read one way by every server of the project.
public enum BearerToken: Equatable, Sendable {
    /// No `Authorization` header.
    case missing
    /// A header that is not `Bearer <token>`.
    case malformed
    /// The token (surrounding spaces removed).
    case token(String)

    /// Reads the `Authorization` header of `headers`.
    public init(_ headers: HTTPFields) {
        guard let header = headers[.authorization] else { self = .missing; return }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { self = .malformed; return }
        let token = String(parts[1]).trimmingCharacters(in: .whitespaces)
        self = token.isEmpty ? .malformed : .token(token)
    }
}
