import CSQLite
import Foundation

/// A small, typed wrapper over one SQLite connection (the system library through `CSQLite`):
/// prepared statements with bound values, rows as arrays of ``SQLValue``.
/// Set up for several processes on one file: WAL journal, a busy timeout, and transactions
/// that take the write lock when they begin (`BEGIN IMMEDIATE`), so that a reader never has
/// to upgrade to a writer — the upgrade is what fails with "database is locked".
/// The embedded ``SQLDatabase``: the tuner's default study storage and the platform's default store.
///
/// ```swift
/// let db = try SQLiteConnection(path: "state.db")
/// try db.migrate([["CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)"]])
/// try db.execute("INSERT INTO notes (text) VALUES (?)", [.text("hello")])
/// ```
public final class SQLiteConnection: SQLDatabase, @unchecked Sendable {
    private var handle: OpaquePointer?
    private let lock = NSLock()
    /// The database file.
    public let path: String
    /// The database file.
    public var name: String { path }

    /// How long a statement waits for another connection's lock before giving up.
    public static let busyTimeoutMilliseconds: Int32 = 120_000

    /// Opens (or creates) the database at `path` in WAL mode with foreign keys on.
    /// - Throws: ``SQLError`` when the file cannot be opened or is not a database.
    public init(path: String) throws {
        self.path = path
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
        guard sqlite3_open_v2(path, &db, flags, nil) == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw SQLError("\(path): cannot open the database (\(message)); expected a writable file path")
        }
        handle = db
        sqlite3_busy_timeout(db, Self.busyTimeoutMilliseconds)
        try execute("PRAGMA journal_mode=WAL")
        try execute("PRAGMA synchronous=NORMAL")
        try execute("PRAGMA foreign_keys=ON")
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs `sql` with `bindings` and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ bindings: [SQLValue]) throws -> [[SQLValue]] {
        lock.lock(); defer { lock.unlock() }
        return try retryingBusy { try step(sql, bindings) }
    }

    /// Runs `body` between `BEGIN IMMEDIATE` and `COMMIT` (rolled back when it throws).
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        lock.lock(); defer { lock.unlock() }
        _ = try retryingBusy { try step("BEGIN IMMEDIATE", []) }
        do {
            let result = try body()
            _ = try retryingBusy { try step("COMMIT", []) }
            return result
        } catch {
            _ = try? step("ROLLBACK", [])
            throw error
        }
    }

    /// Inside ``transaction(_:)``: runs a statement on the connection already locked.
    @discardableResult
    public func queryInTransaction(_ sql: String, _ bindings: [SQLValue]) throws -> [[SQLValue]] {
        try step(sql, bindings)
    }

    /// The busy timeout covers waiting for a lock; a few more rounds cover the rare busy
    /// result SQLite returns at once (a WAL checkpoint racing a writer).
    private func retryingBusy<T>(_ body: () throws -> T) throws -> T {
        var attempt = 0
        while true {
            do { return try body() } catch let error as SQLiteBusy {
                attempt += 1
                if attempt > 50 { throw SQLError("\(path): \(error.message) after \(attempt) attempts") }
                usleep(useconds_t(20_000 * min(attempt, 10)))
            }
        }
    }

    private func step(_ sql: String, _ bindings: [SQLValue]) throws -> [[SQLValue]] {
        var statement: OpaquePointer?
        var code = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard code == SQLITE_OK, let statement else { throw error(code, sql) }
        defer { sqlite3_finalize(statement) }
        for (i, value) in bindings.enumerated() {
            let index = Int32(i + 1)
            switch value {
            case .null: sqlite3_bind_null(statement, index)
            case .integer(let v): sqlite3_bind_int64(statement, index, Int64(v))
            case .real(let v): sqlite3_bind_double(statement, index, v)
            case .text(let v): sqlite3_bind_text(statement, index, v, -1, SQLITE_TRANSIENT)
            }
        }
        var rows: [[SQLValue]] = []
        while true {
            code = sqlite3_step(statement)
            if code == SQLITE_DONE { return rows }
            guard code == SQLITE_ROW else { throw error(code, sql) }
            rows.append((0..<sqlite3_column_count(statement)).map { column in
                switch sqlite3_column_type(statement, column) {
                case SQLITE_INTEGER: return .integer(Int(sqlite3_column_int64(statement, column)))
                case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, column))
                case SQLITE_NULL: return .null
                default: return .text(String(cString: sqlite3_column_text(statement, column)))
                }
            })
        }
    }

    private func error(_ code: Int32, _ sql: String) -> Error {
        let message = String(cString: sqlite3_errmsg(handle))
        if code == SQLITE_BUSY || code == SQLITE_LOCKED { return SQLiteBusy(message: message) }
        return SQLError("\(path): SQLite error \(code) (\(message)) in: \(sql)")
    }

    private struct SQLiteBusy: Error { let message: String }
}

/// `SQLITE_TRANSIENT`: SQLite copies the bound text before the call returns.
private let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
