/// A key's role in its workspace; each role may do everything the roles below it may.
/// - `viewer`: read datasets, jobs, models and the marketplace.
/// - `editor`: also create, upload, submit and delete.
/// - `admin`: also manage keys and read the audit log.
public enum Role: String, Codable, CaseIterable, Sendable, Comparable {
    case viewer
    case editor
    case admin

    private var rank: Int {
        switch self {
        case .viewer: return 0
        case .editor: return 1
        case .admin: return 2
        }
    }

    /// Whether a key of this role may do what `required` may.
    public func includes(_ required: Role) -> Bool { rank >= required.rank }

    /// Orders roles by what they may do.
    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }

    /// Parses a role name.
    /// - Throws: ``PlatformError`` (`badRequest`) naming the accepted roles.
    public static func parse(_ text: String) throws -> Role {
        guard let role = Role(rawValue: text.lowercased()) else {
            throw PlatformError(.badRequest, "unknown role \"\(text)\"; expected one of viewer, editor, admin")
        }
        return role
    }
}
