import Foundation

/// Opens a storage from a URL: `sqlite:///absolute/path.db`, `sqlite:///relative/path.db`
/// is read as in SQLAlchemy (three slashes, then the path: relative to the current folder;
/// four slashes for an absolute path), or a plain file path ending in `.db`.
public enum StorageURL {
    /// The storage `url` names.
    /// - Throws: ``TuneError`` for an unsupported scheme (PostgreSQL is not yet supported) or
    ///   a file that cannot be opened.
    public static func open(_ url: String) throws -> any StudyStorage {
        try SQLiteStorage(path: try sqlitePath(url))
    }

    /// The file path of a `sqlite://` URL (or of a bare path).
    public static func sqlitePath(_ url: String) throws -> String {
        if url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") {
            throw TuneError("--storage \(url): PostgreSQL storage is not supported yet; use sqlite:///PATH (the default)")
        }
        if url.hasPrefix("sqlite:///") {
            let path = String(url.dropFirst("sqlite:///".count))
            guard !path.isEmpty else { throw TuneError("--storage \(url): expected sqlite:///PATH with a file path") }
            return path
        }
        if url.contains("://") {
            let scheme = url.components(separatedBy: "://")[0]
            throw TuneError("--storage \(url): unknown scheme \"\(scheme)\"; expected sqlite:///PATH")
        }
        guard !url.isEmpty else { throw TuneError("--storage: expected sqlite:///PATH or a file path, got an empty string") }
        return url
    }

    /// `sqlite:///<path>` for a file path (absolute paths get the fourth slash).
    public static func sqlite(path: String) -> String { "sqlite:///" + path }
}
