import Foundation

/// A stored API key: its public id, workspace, role and lifetime; the secret itself is never
/// stored, only its SHA-256 hash.
public struct APIKey: Codable, Sendable, Equatable {
    /// The public id (the middle part of the token); safe to log and show.
    public let id: String
    /// The workspace the key acts in.
    public let workspaceID: String
    /// What the key may do.
    public let role: Role
    /// A label chosen at creation.
    public let name: String
    /// SHA-256 of the secret, hex (never sent to clients).
    public let secretHash: String
    /// When it was created.
    public let created: Date
    /// When it stops working (nil: never).
    public let expires: Date?
    /// When it was revoked (nil: not revoked).
    public var revoked: Date?
    /// When it last authenticated a request (to the minute).
    public var lastUsed: Date?

    /// Creates a key record.
    public init(id: String, workspaceID: String, role: Role, name: String, secretHash: String, created: Date,
                expires: Date?, revoked: Date? = nil, lastUsed: Date? = nil) {
        self.id = id
        self.workspaceID = workspaceID
        self.role = role
        self.name = name
        self.secretHash = secretHash
        self.created = created
        self.expires = expires
        self.revoked = revoked
        self.lastUsed = lastUsed
    }

    /// The key as a client may see it: everything but the hash.
    public var summary: Summary {
        Summary(id: id, workspace: workspaceID, role: role, name: name, created: created, expires: expires,
                revoked: revoked, lastUsed: lastUsed)
    }

    /// What `GET /api/v1/keys` returns for a key.
    public struct Summary: Codable, Sendable, Equatable {
        public let id: String
        public let workspace: String
        public let role: Role
        public let name: String
        public let created: Date
        public let expires: Date?
        public let revoked: Date?
        public let lastUsed: Date?
    }
}

/// A key just created: its record and the token, which is shown this once and never again.
public struct IssuedKey: Sendable {
    /// The stored record.
    public let key: APIKey
    /// `lep_<id>_<secret>`: what the caller puts in `Authorization: Bearer`.
    public let token: String
}
