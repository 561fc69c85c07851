import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// A PostgreSQL database over one connection (postgres-nio), for a platform or a tuning study
/// that outgrows one SQLite file: `postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE`, with
/// `?sslmode=require` for TLS (the default, `disable`, suits a database on the same host or a
/// private network).
///
/// Statements are the SQLite-dialect ones the stores write (see ``SQLDatabase``), adapted here:
/// `?` placeholders become `$1, $2, …`; in `CREATE` statements `INTEGER PRIMARY KEY` becomes an
/// identity column, `INTEGER` `BIGINT` and `REAL` `DOUBLE PRECISION`; SQLite's `RAISE(ABORT, …)`
/// triggers become PL/pgSQL ones (``PostgresDialect``). A transaction first takes a
/// transaction-scoped advisory lock, so that transactions of every process on the database
/// run one at a time, as SQLite's `BEGIN IMMEDIATE` makes them. The schema version lives in a
/// table of its own, `lepton_schema`.
///
/// Calls block the calling thread until PostgreSQL answers, like SQLite's; a connection found
/// closed (the server restarted) is opened again once before a call fails.
public final class PostgresDatabase: SQLDatabase, @unchecked Sendable {
    /// The URL without its password.
    public let name: String
    private let configuration: PostgresConnection.Configuration
    private let logger = Logger(label: "lepton.postgres")
    private let lock = NSLock()
    private var connection: PostgresConnection?

    /// The advisory lock every transaction holds (any fixed number; the same in every process).
    static let transactionLockKey = 0x4C_45_50_54_4F_4E

    /// Connects to the database `url` names.
    /// - Throws: ``SQLError`` for a malformed URL or a server that cannot be reached or refuses
    ///   the login, naming the URL (without its password).
    public init(url: String) throws {
        let parsed = try PostgresURL(url)
        name = parsed.redacted
        configuration = parsed.configuration
        lock.lock(); defer { lock.unlock() }
        _ = try connected()
    }

    deinit { try? connection?.close().wait() }

    public func query(_ sql: String, _ bindings: [SQLValue]) throws -> [[SQLValue]] {
        lock.lock(); defer { lock.unlock() }
        return try run(sql, bindings, reconnecting: true)
    }

    public func transaction<T>(_ body: () throws -> T) throws -> T {
        lock.lock(); defer { lock.unlock() }
        _ = try run("BEGIN", [], reconnecting: true)
        do {
            _ = try run("SELECT pg_advisory_xact_lock(\(Self.transactionLockKey))", [], reconnecting: false)
            let result = try body()
            _ = try run("COMMIT", [], reconnecting: false)
            return result
        } catch {
            _ = try? run("ROLLBACK", [], reconnecting: false)
            throw error
        }
    }

    public func queryInTransaction(_ sql: String, _ bindings: [SQLValue]) throws -> [[SQLValue]] {
        try run(sql, bindings, reconnecting: false)
    }

    public func migrate(_ steps: [[String]]) throws -> Int {
        try transaction {
            try queryInTransaction("CREATE TABLE IF NOT EXISTS lepton_schema (version BIGINT NOT NULL)", [])
            let current = try queryInTransaction("SELECT version FROM lepton_schema", []).first?.first?.int ?? 0
            guard current <= steps.count else {
                throw SQLError("\(name): schema version \(current) is newer than this program's \(steps.count); expected a database written by this or an older version")
            }
            for index in current..<steps.count {
                for statement in steps[index] { try queryInTransaction(statement, []) }
            }
            try queryInTransaction("DELETE FROM lepton_schema", [])
            try queryInTransaction("INSERT INTO lepton_schema (version) VALUES (?)", [.integer(steps.count)])
            return current
        }
    }

    /// The open connection, opened (again) when there is none or it closed. Called under `lock`.
    private func connected() throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        do {
            let opened = try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration,
                                                        id: 1, logger: logger).wait()
            connection = opened
            return opened
        } catch {
            throw SQLError("\(name): cannot connect to PostgreSQL (\(Self.describe(error))); expected a running server and a valid user, password and database")
        }
    }

    /// Runs one statement (each `CREATE` statement adapted to PostgreSQL may become several).
    /// Called under `lock`; outside a transaction a closed connection is reopened once.
    private func run(_ sql: String, _ bindings: [SQLValue], reconnecting: Bool) throws -> [[SQLValue]] {
        var rows: [[SQLValue]] = []
        for statement in PostgresDialect.statements(sql) {
            let query = PostgresQuery(unsafeSQL: PostgresDialect.numberingPlaceholders(statement), binds: try Self.binds(bindings))
            do {
                rows = try Self.rows(try connected().query(query, logger: logger).wait())
            } catch let error as SQLError {
                throw error
            } catch {
                if reconnecting, connection?.isClosed ?? true {
                    connection = nil
                    rows = try Self.rows(try connected().query(query, logger: logger).wait())
                    continue
                }
                throw SQLError("\(name): PostgreSQL error (\(Self.describe(error))) in: \(statement)")
            }
        }
        return rows
    }

    private static func binds(_ values: [SQLValue]) throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .null: binds.appendNull()
            case .integer(let v): binds.append(Int64(v))
            case .real(let v): binds.append(v)
            case .text(let v): binds.append(v)
            }
        }
        return binds
    }

    private static func rows(_ result: PostgresQueryResult) throws -> [[SQLValue]] {
        try result.map { row in try row.map(value) }
    }

    private static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(Int(try cell.decode(Int64.self)))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .numeric: return .real(Double(try cell.decode(String.self)) ?? .nan)
        default: return .text(try cell.decode(String.self))
        }
    }

    /// What PostgreSQL said (postgres-nio's own description hides it to keep secrets out of logs).
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] {
            return [error.serverInfo?[.sqlState].map { "SQLSTATE \($0)" }, message, error.serverInfo?[.detail]]
                .compactMap { $0 }.joined(separator: ": ")
        }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }
}
