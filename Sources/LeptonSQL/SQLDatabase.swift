/// One SQL database connection, SQLite or PostgreSQL, behind the calls the platform's store and
/// the tuner's study storage make. Statements are written once, in the SQL both understand,
/// with `?` placeholders; each implementation adapts what differs (PostgreSQL's `$1`
/// placeholders and column types, see ``PostgresDatabase``).
///
/// Calls are synchronous and serialised on the connection. A transaction holds the database's
/// write lock from its first statement (SQLite's `BEGIN IMMEDIATE`; a transaction-scoped
/// advisory lock on PostgreSQL), so a read-then-write inside one never races another process.
///
/// ```swift
/// let db = try SQLDatabases.open("postgresql://lepton@localhost:5432/lepton")
/// let next = try db.transaction {
///     (try db.queryInTransaction("SELECT MAX(number) FROM versions").first?.first?.int ?? 0) + 1
/// }
/// ```
public protocol SQLDatabase: AnyObject, Sendable {
    /// What the database is, for messages: a file path, or a URL without its password.
    var name: String { get }

    /// Runs `sql` with `bindings` (one per `?`) and returns its rows.
    @discardableResult
    func query(_ sql: String, _ bindings: [SQLValue]) throws -> [[SQLValue]]

    /// Runs `body` in a transaction that holds the write lock from its start; committed when
    /// `body` returns, rolled back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T

    /// Inside ``transaction(_:)``: runs a statement on the connection the transaction holds.
    @discardableResult
    func queryInTransaction(_ sql: String, _ bindings: [SQLValue]) throws -> [[SQLValue]]

    /// Brings the schema up to date: step `i` (its statements in one transaction) is applied
    /// when the stored schema version is at most `i`, and the version is then `i + 1`. Steps
    /// are only ever appended, never edited.
    /// - Returns: the schema version before migrating (0 for a new database).
    /// - Throws: ``SQLError`` when a statement fails (that step is rolled back), or when the
    ///   database is newer than the steps this program knows.
    @discardableResult
    func migrate(_ steps: [[String]]) throws -> Int

    /// Runs `body` (calls on this database) where waiting for the database costs an async
    /// caller least: inline for SQLite (a local file, answers in microseconds), on a thread of
    /// the database's own for PostgreSQL (network round trips), so that a server's few
    /// cooperative threads are not held while PostgreSQL answers.
    func perform<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T
}

extension SQLDatabase {
    /// Runs `body` inline (see the requirement).
    public func perform<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T { try body() }

    /// Runs `sql` (no results) with `bindings`.
    public func execute(_ sql: String, _ bindings: [SQLValue] = []) throws {
        _ = try query(sql, bindings)
    }

    /// Runs `sql` without bindings and returns its rows.
    @discardableResult
    public func query(_ sql: String) throws -> [[SQLValue]] { try query(sql, []) }

    /// Inside ``transaction(_:)``: runs `sql` without bindings.
    @discardableResult
    public func queryInTransaction(_ sql: String) throws -> [[SQLValue]] { try queryInTransaction(sql, []) }
}

/// Opens a database from its URL.
public enum SQLDatabases {
    /// The database `url` names: `postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE` (also
    /// `postgres://`), `sqlite:///PATH` (as SQLAlchemy writes it: a relative path after three
    /// slashes, four for an absolute one), or a plain file path (SQLite).
    /// - Throws: ``SQLError`` for an unknown scheme, a malformed URL, or a database that cannot
    ///   be opened or reached.
    public static func open(_ url: String) throws -> any SQLDatabase {
        if isPostgres(url) { return try PostgresDatabase(url: url) }
        return try SQLiteConnection(path: try sqlitePath(url))
    }

    /// `url` with a password in it replaced by `***` (for messages and logs).
    public static func redacted(_ url: String) -> String { PostgresURL.redact(url) }

    /// Whether `url` names a PostgreSQL database.
    public static func isPostgres(_ url: String) -> Bool {
        url.hasPrefix("postgresql://") || url.hasPrefix("postgres://")
    }

    /// The file path of a `sqlite://` URL (or of a bare path).
    /// - Throws: ``SQLError`` for another scheme or an empty path.
    public static func sqlitePath(_ url: String) throws -> String {
        if url.hasPrefix("sqlite:///") {
            let path = String(url.dropFirst("sqlite:///".count))
            guard !path.isEmpty else { throw SQLError("\(url): expected sqlite:///PATH with a file path") }
            return path
        }
        if url.contains("://") {
            let scheme = url.components(separatedBy: "://")[0]
            throw SQLError("\(url): unknown scheme \"\(scheme)\"; expected sqlite:///PATH or postgresql://USER@HOST:PORT/DATABASE")
        }
        guard !url.isEmpty else { throw SQLError("expected sqlite:///PATH, postgresql://… or a file path, got an empty string") }
        return url
    }
}
