import Foundation
import LeptonSQL
import Testing

@Suite("SQLiteConnection")
struct SQLiteConnectionTests {
    static func temporaryDatabase() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("lepton-sqlite-\(UUID().uuidString).db").path
    }

    static let steps = [
        ["CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)"],
        ["ALTER TABLE notes ADD COLUMN author TEXT", "CREATE INDEX notes_author ON notes(author)"],
    ]

    @Test("migrate applies each step once and records the schema version")
    func migratesOnce() throws {
        let path = Self.temporaryDatabase()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let db = try SQLiteConnection(path: path)
        #expect(try db.migrate(Array(Self.steps.prefix(1))) == 0)
        try db.execute("INSERT INTO notes (text) VALUES (?)", [.text("first")])
        // A newer program adds step 2; the first is not re-run (it would fail: the table exists).
        let reopened = try SQLiteConnection(path: path)
        #expect(try reopened.migrate(Self.steps) == 1)
        #expect(try reopened.migrate(Self.steps) == 2)
        try reopened.execute("INSERT INTO notes (text, author) VALUES (?, ?)", [.text("second"), .text("ada")])
        let rows = try reopened.query("SELECT text, author FROM notes ORDER BY id")
        #expect(rows == [[.text("first"), .null], [.text("second"), .text("ada")]])
        #expect(try reopened.query("PRAGMA journal_mode").first?.first?.string == "wal")
    }

    @Test("a failing step is rolled back and an older program refuses a newer database")
    func failingAndNewer() throws {
        let path = Self.temporaryDatabase()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let db = try SQLiteConnection(path: path)
        #expect(throws: SQLError.self) { try db.migrate([["CREATE TABLE a (x INTEGER)", "NOT SQL"]]) }
        #expect(try db.query("SELECT name FROM sqlite_master WHERE name = 'a'").isEmpty)
        #expect(try db.query("PRAGMA user_version").first?.first?.int == 0)
        try db.migrate(Self.steps)
        let error = #expect(throws: SQLError.self) { try db.migrate(Array(Self.steps.prefix(1))) }
        #expect(error?.message.contains("newer than this program") == true)
    }

    @Test("a file that is not a database is refused with the path in the message")
    func notADatabase() throws {
        let path = Self.temporaryDatabase()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: SQLError.self) { try SQLiteConnection(path: path) }
        #expect(error?.message.contains(path) == true)
    }
}
