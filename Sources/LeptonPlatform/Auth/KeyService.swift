import Foundation

/// Issues, lists, revokes and checks API keys over a ``PlatformStore``.
///
/// ```swift
/// let issued = try await keys.create(workspaceID: principal.workspaceID, role: .viewer, name: "ci")
/// print("key: \(issued.token)")   // the only time the secret exists outside the caller
/// let who = try await keys.authenticate(token: issued.token)
/// ```
public struct KeyService: Sendable {
    let store: any PlatformStore
    /// `lastUsed` is written at most this often per key, so reads do not each cost a write.
    static let lastUsedResolution: TimeInterval = 60

    /// Creates the service over `store`.
    public init(store: any PlatformStore) { self.store = store }

    /// Creates a key in `workspaceID`.
    /// - Parameters:
    ///   - expiresIn: seconds until it expires (nil: never); must be positive.
    /// - Returns: the record and the token, to be shown once.
    public func create(workspaceID: String, role: Role, name: String, expiresIn: TimeInterval? = nil,
                       now: Date = Date()) async throws -> IssuedKey {
        if let expiresIn, !(expiresIn > 0) {
            throw PlatformError(.badRequest, "expires_in_seconds must be a positive number of seconds; got \(expiresIn)")
        }
        guard !name.isEmpty, name.count <= 200 else {
            throw PlatformError(.badRequest, "a key name must have 1 to 200 characters; got \(name.count)")
        }
        let (id, secret) = KeySecret.generate()
        let key = APIKey(id: id, workspaceID: workspaceID, role: role, name: name, secretHash: KeySecret.hash(secret),
                         created: now, expires: expiresIn.map { now.addingTimeInterval($0) })
        try await store.insertKey(key)
        return IssuedKey(key: key, token: KeySecret.token(id: id, secret: secret))
    }

    /// The keys of a workspace, oldest first.
    public func list(workspaceID: String) async throws -> [APIKey] {
        try await store.keys(workspaceID: workspaceID)
    }

    /// Revokes key `id` of `workspaceID`; it fails authentication from then on.
    /// - Throws: ``PlatformError`` (`notFound`) when the workspace has no such key.
    public func revoke(id: String, workspaceID: String, now: Date = Date()) async throws -> APIKey {
        guard var key = try await store.key(id: id), key.workspaceID == workspaceID else {
            throw PlatformError(.notFound, "no key \(id) in this workspace; list them with GET /api/v1/keys")
        }
        if key.revoked == nil {
            key.revoked = now
            try await store.revokeKey(id: id, at: now)
        }
        return key
    }

    /// The principal of a bearer token.
    /// - Throws: ``PlatformError`` (`unauthenticated`) when the token is malformed, unknown,
    ///   wrong, expired or revoked; the message says which, never echoing the secret.
    public func authenticate(token: String, now: Date = Date()) async throws -> Principal {
        let (id, secret) = try KeySecret.parse(token)
        let presented = KeySecret.hash(secret)
        guard let key = try await store.key(id: id) else {
            // Compare anyway, so an unknown id costs the same time as a wrong secret.
            _ = KeySecret.constantTimeEqual(presented, String(repeating: "0", count: presented.count))
            throw PlatformError(.unauthenticated, "invalid API key")
        }
        guard KeySecret.constantTimeEqual(presented, key.secretHash) else {
            throw PlatformError(.unauthenticated, "invalid API key")
        }
        if let revoked = key.revoked, revoked <= now {
            throw PlatformError(.unauthenticated, "API key \(id) was revoked; ask an admin for a new one")
        }
        if let expires = key.expires, expires <= now {
            throw PlatformError(.unauthenticated, "API key \(id) expired at \(expires); ask an admin for a new one")
        }
        if key.lastUsed.map({ now.timeIntervalSince($0) >= Self.lastUsedResolution }) ?? true {
            try await store.touchKey(id: id, at: now)
        }
        return Principal(keyID: id, workspaceID: key.workspaceID, role: key.role)
    }
}
