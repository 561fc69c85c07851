import Foundation
import LeptonSQL
import Synchronization

/// The databases the SQL-backed tests run against: each store test runs once per backend, so
/// the embedded SQLite store and the PostgreSQL one pass the same suite.
public enum SQLBackend: String, CaseIterable, Sendable, CustomStringConvertible {
    /// A new SQLite file in a temporary folder.
    case sqlite
    /// A new database on the test PostgreSQL server (``PostgresTestServer``).
    case postgresql

    public var description: String { rawValue }
}

/// A new, empty database for one test.
public struct TestDatabase: Sendable {
    /// The database's URL (`sqlite:///…` with an absolute path, or `postgresql://…`).
    public let url: String
    /// For SQLite, the file's folder (removed by ``remove()``).
    private let folder: URL?

    /// A new database on `backend`.
    /// - Throws: when the PostgreSQL test server cannot be started or reached.
    public init(_ backend: SQLBackend) throws {
        switch backend {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-db-\(UUID())")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            self.folder = folder
            url = "sqlite:///" + folder.appendingPathComponent("test.db").path
        case .postgresql:
            folder = nil
            url = try PostgresTestServer.freshDatabase()
        }
    }

    /// Opens a connection to the database.
    public func open() throws -> any SQLDatabase { try SQLDatabases.open(url) }

    /// Removes a SQLite database's folder (a PostgreSQL test database stays until the server stops).
    public func remove() {
        if let folder { try? FileManager.default.removeItem(at: folder) }
    }
}

/// The PostgreSQL server of a test run, `LEPTON_TEST_POSTGRES_URL`: scripts/test.sh starts one
/// for the whole run with `scripts/postgres.sh start DIR` and exports its URL. Without it the
/// PostgreSQL tests fail, saying how to start one.
public enum PostgresTestServer {
    private static let counter = Atomic<Int>(0)

    /// The URL of a new, empty database on the server.
    /// - Throws: ``SQLError`` when no server is set or the database cannot be created.
    public static func freshDatabase() throws -> String {
        guard let base = ProcessInfo.processInfo.environment["LEPTON_TEST_POSTGRES_URL"], !base.isEmpty else {
            throw SQLError("""
                no PostgreSQL server for the tests: run them with scripts/test.sh, or start one with \
                `export LEPTON_TEST_POSTGRES_URL=$(scripts/postgres.sh start DIR)` (scripts/postgres.sh stop DIR afterwards)
                """)
        }
        let name = "lepton_test_\(getpid())_\(counter.add(1, ordering: .relaxed).newValue)_\(UInt32.random(in: 0...UInt32.max))"
        try SQLDatabases.open(base).execute("CREATE DATABASE \(name)")
        guard var components = URLComponents(string: base) else { throw SQLError("\(base): not a URL") }
        components.path = "/" + name
        return components.string ?? base
    }
}
