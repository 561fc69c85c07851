import Foundation
import LeptonSQL
import LeptonTestSupport
import Testing

/// SQLite and PostgreSQL (a real server: the one scripts/test.sh starts) behind one protocol: the
/// SQLite-dialect statements the stores write, migrations, and transactions of several
/// connections serialised.
@Suite("SQLDatabase")
struct SQLDatabaseTests {
    @Test("values of every kind round-trip; ? placeholders, RETURNING and ON CONFLICT work as in SQLite",
          arguments: SQLBackend.allCases)
    func valuesRoundTrip(backend: SQLBackend) throws {
        let database = try TestDatabase(backend)
        defer { database.remove() }
        let db = try database.open()
        try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, x REAL, s TEXT, UNIQUE (s))")
        let id = try db.query("INSERT INTO t (n, x, s) VALUES (?, ?, ?) RETURNING id", [.integer(1 << 40), .real(0.25), .text("it's ?")])
        #expect(id.first?.first?.int == 1)
        try db.execute("INSERT INTO t (n, x, s) VALUES (?, ?, ?)", [.null, .null, .text("two")])
        try db.execute("INSERT INTO t (n, x, s) VALUES (?, ?, ?) ON CONFLICT (s) DO UPDATE SET n = excluded.n", [.integer(7), .null, .text("two")])
        let rows = try db.query("SELECT id, n, x, s FROM t WHERE s <> '?' ORDER BY id")
        #expect(rows == [[.integer(1), .integer(1 << 40), .real(0.25), .text("it's ?")], [.integer(2), .integer(7), .null, .text("two")]])
        #expect(try db.query("SELECT MAX(n) FROM t WHERE s = ?", [.text("nothing")]) == [[.null]])
        #expect(try db.query("SELECT COUNT(*) FROM t").first?.first?.int == 2)
    }

    @Test("migrations apply each step once; a database newer than the program is refused", arguments: SQLBackend.allCases)
    func migrations(backend: SQLBackend) throws {
        let database = try TestDatabase(backend)
        defer { database.remove() }
        let steps = [
            ["CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)"],
            ["CREATE TRIGGER notes_no_delete BEFORE DELETE ON notes BEGIN SELECT RAISE(ABORT, 'notes are kept'); END"],
        ]
        #expect(try database.open().migrate(Array(steps.prefix(1))) == 0)
        let db = try database.open()
        #expect(try db.migrate(steps) == 1)
        #expect(try db.migrate(steps) == 2)
        try db.execute("INSERT INTO notes (text) VALUES (?)", [.text("a")])
        let refused = #expect(throws: SQLError.self) { try db.execute("DELETE FROM notes") }
        #expect(refused?.message.contains("notes are kept") == true, "\(String(describing: refused))")
        let newer = #expect(throws: SQLError.self) { try db.migrate(Array(steps.prefix(1))) }
        #expect(newer?.message.contains("newer than this program's 1") == true)
    }

    @Test("read-then-write transactions of four connections never lose an update", arguments: SQLBackend.allCases)
    func transactionsSerialise(backend: SQLBackend) throws {
        let database = try TestDatabase(backend)
        defer { database.remove() }
        try database.open().execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)")
        try database.open().execute("INSERT INTO counter (id, value) VALUES (1, 0)")
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do {
                let db = try database.open()
                for _ in 0..<25 {
                    try db.transaction {
                        let value = try db.queryInTransaction("SELECT value FROM counter WHERE id = 1").first?.first?.int ?? -1
                        try db.queryInTransaction("UPDATE counter SET value = ? WHERE id = 1", [.integer(value + 1)])
                    }
                }
            } catch {
                failures.add("\(error)")
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all)")
        #expect(try database.open().query("SELECT value FROM counter").first?.first?.int == 100)
    }

    @Test("a failed statement rolls its transaction back and names the database, never its password")
    func failuresAreClear() throws {
        let database = try TestDatabase(.postgresql)
        let db = try database.open()
        try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        #expect(throws: SQLError.self) {
            try db.transaction {
                try db.queryInTransaction("INSERT INTO t (id) VALUES (1)")
                try db.queryInTransaction("INSERT INTO no_such_table (id) VALUES (1)")
            }
        }
        #expect(try db.query("SELECT COUNT(*) FROM t").first?.first?.int == 0, "the first insert was rolled back")
        let missing = #expect(throws: SQLError.self) { try db.query("SELECT nope FROM t") }
        #expect(missing?.message.contains("nope") == true && missing?.message.contains("postgresql://") == true, "\(String(describing: missing))")
        let refused = #expect(throws: SQLError.self) { try SQLDatabases.open("postgresql://lepton:hunter2@127.0.0.1:1/x") }
        #expect(refused?.message.contains("cannot connect to PostgreSQL") == true && refused?.message.contains("hunter2") == false,
                "\(String(describing: refused))")
    }

    @Test("a connection the server dropped is opened again; a plain query inside a transaction runs in it")
    func reconnectsAndKeepsTransactions() throws {
        let database = try TestDatabase(.postgresql)
        let db = try database.open()
        try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        // Another session ends every other backend of this database, as a server restart would.
        let killer = try database.open()
        let ended = try killer.query("""
            SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
            """)
        #expect((ended.first?.first?.int ?? 0) >= 1)
        #expect(try db.query("SELECT COUNT(*) FROM t").first?.first?.int == 0, "the dropped connection was opened again")
        try db.transaction {
            try db.queryInTransaction("INSERT INTO t (id) VALUES (1)")
            #expect(try db.query("SELECT COUNT(*) FROM t").first?.first?.int == 1, "the plain query saw the transaction's insert")
        }
        #expect(throws: SQLError.self) { try db.queryInTransaction("SELECT 1") }
    }

    @Test("URLs: SQLite paths as SQLAlchemy writes them; malformed PostgreSQL URLs refused with what was expected")
    func urls() throws {
        #expect(try SQLDatabases.sqlitePath("sqlite:///out/study.db") == "out/study.db")
        #expect(try SQLDatabases.sqlitePath("sqlite:////tmp/x.db") == "/tmp/x.db")
        #expect(try SQLDatabases.sqlitePath("study.db") == "study.db")
        for (url, message) in [("mysql://x", "unknown scheme \"mysql\""), ("sqlite:///", "expected sqlite:///PATH"),
                               ("", "empty string")] {
            let error = #expect(throws: SQLError.self) { try SQLDatabases.sqlitePath(url) }
            #expect(error?.message.contains(message) == true, "\(url): \(String(describing: error))")
        }
        for (url, message) in [("postgresql://u@h:5432/a/b", "has a slash"), ("postgresql://u@h/db?sslmode=allow", "sslmode=allow"),
                               ("postgresql://u@h/db?application_name=x", "unknown option application_name")] {
            let error = #expect(throws: SQLError.self) { try SQLDatabases.open(url) }
            #expect(error?.message.contains(message) == true, "\(url): \(String(describing: error))")
        }
        #expect(SQLDatabases.redacted("postgresql://u:pw@h/db") == "postgresql://u:***@h/db")
    }

    @Test("the dialect: placeholders numbered outside quotes, column types widened, abort triggers in PL/pgSQL")
    func dialect() {
        #expect(PostgresDialect.numberingPlaceholders("SELECT '?', \"a?\" FROM t WHERE a = ? AND b IN (?, ?)")
                == "SELECT '?', \"a?\" FROM t WHERE a = $1 AND b IN ($2, $3)")
        #expect(PostgresDialect.statements("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, x REAL, interval_s TEXT)")
                == ["CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, n BIGINT NOT NULL, x DOUBLE PRECISION, interval_s TEXT)"])
        #expect(PostgresDialect.statements("SELECT INTEGER FROM t") == ["SELECT INTEGER FROM t"], "only CREATE statements change")
        let trigger = PostgresDialect.statements("CREATE TRIGGER a_no_update BEFORE UPDATE ON a BEGIN SELECT RAISE(ABORT, 'no'); END")
        #expect(trigger.count == 2 && trigger[1] == "CREATE TRIGGER a_no_update BEFORE UPDATE ON a FOR EACH ROW EXECUTE FUNCTION a_no_update_raise()")
    }
}

private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [String] = []
    func add(_ error: String) { lock.lock(); errors.append(error); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return errors }
}
