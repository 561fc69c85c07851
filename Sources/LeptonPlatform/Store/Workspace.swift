import Foundation

/// A workspace: the unit of isolation. Keys, datasets, jobs and models belong to one; a key
/// never sees another workspace's resources.
public struct Workspace: Codable, Sendable, Equatable {
    /// Its id (`ws_…`).
    public let id: String
    /// Its unique name.
    public let name: String
    /// When it was created.
    public let created: Date

    /// Creates a workspace record.
    public init(id: String, name: String, created: Date) {
        self.id = id
        self.name = name
        self.created = created
    }
}
