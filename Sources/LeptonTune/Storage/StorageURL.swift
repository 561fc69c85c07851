import Foundation
import LeptonSQL

/// Opens a study storage from a URL: `sqlite:///relative/path.db` (as in SQLAlchemy: three
/// slashes, then the path relative to the current folder; four slashes for an absolute path),
/// a plain file path, or `postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE`
/// (see ``SQLDatabases/open(_:)``).
public enum StorageURL {
    /// The storage `url` names.
    /// - Throws: ``TuneError`` for an unsupported scheme, or a database that cannot be opened
    ///   or reached.
    public static func open(_ url: String) throws -> any StudyStorage {
        do {
            if SQLDatabases.isPostgres(url) { return try SQLStudyStorage(database: try SQLDatabases.open(url)) }
            return try SQLStudyStorage(path: try SQLDatabases.sqlitePath(url))
        } catch let error as SQLError {
            throw TuneError("--storage: \(error.message)")
        }
    }

    /// `sqlite:///<path>` for a file path (absolute paths get the fourth slash).
    public static func sqlite(path: String) -> String { "sqlite:///" + path }
}
