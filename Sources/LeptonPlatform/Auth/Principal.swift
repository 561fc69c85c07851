/// Who is calling: the key that authenticated a request, its workspace and its role.
public struct Principal: Sendable, Equatable {
    /// The key's public id (never the secret).
    public let keyID: String
    /// The workspace the key belongs to; every resource it sees is in this workspace.
    public let workspaceID: String
    /// What the key may do.
    public let role: Role

    /// Creates a principal.
    public init(keyID: String, workspaceID: String, role: Role) {
        self.keyID = keyID
        self.workspaceID = workspaceID
        self.role = role
    }

    /// Throws unless this principal's role includes `required`.
    /// - Parameter action: what was attempted, named in the error.
    /// - Throws: ``PlatformError`` (`forbidden`) naming the role needed and the role held.
    public func require(_ required: Role, for action: String) throws {
        guard role.includes(required) else {
            throw PlatformError(.forbidden, "\(action) needs the \(required.rawValue) role; key \(keyID) has the \(role.rawValue) role")
        }
    }
}
