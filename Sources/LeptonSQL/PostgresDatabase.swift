import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

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
/// Calls block the calling thread until PostgreSQL answers, like SQLite's. They share a small
/// pool of connections (opened as needed), so a server's concurrent reads run side by side; a
/// transaction keeps one connection for the thread that opened it, and every call that thread
/// makes before it ends runs inside it. A connection found closed (the server restarted) is
/// opened again once before a call fails.
public final class PostgresDatabase: SQLDatabase, @unchecked Sendable {
    /// The URL without its password.
    public let name: String
    private let configuration: PostgresConnection.Configuration
    private let logger = Logger(label: "lepton.postgres")
    /// Guards `connections`, `free` and `transactions`; signalled when a connection is released.
    private let pool = NSCondition()
    private var connections: [PostgresConnection?]
    private var free: [Int]
    /// Thread (`pthread_self`) → the connection its open transaction holds.
    private var transactions: [UInt: Int] = [:]

    /// Connections per database object, and threads for ``perform(_:)``.
    public static let defaultPoolSize = 8
    /// The threads ``perform(_:)`` runs bodies on: serial queues (each its own thread while busy,
    /// so a body blocked on PostgreSQL never holds up another's start), taken in turn.
    private static let workers = (0..<defaultPoolSize).map { DispatchQueue(label: "lepton.postgres.\($0)") }
    private static let nextWorker = Atomic<Int>(0)

    public func perform<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let turn = Self.nextWorker.add(1, ordering: .relaxed).newValue & Int.max
            Self.workers[turn % Self.workers.count].async {
                continuation.resume(with: Result { try body() })
            }
        }
    }

    /// The advisory lock every transaction holds (any fixed number; the same in every process).
    static let transactionLockKey = 0x4C_45_50_54_4F_4E

    /// Connects to the database `url` names, with up to `poolSize` connections.
    /// - Throws: ``SQLError`` for a malformed URL or a server that cannot be reached or refuses
    ///   the login, naming the URL (without its password).
    public init(url: String, poolSize: Int = PostgresDatabase.defaultPoolSize) throws {
        let parsed = try PostgresURL(url)
        name = parsed.redacted
        configuration = parsed.configuration
        connections = Array(repeating: nil, count: max(1, poolSize))
        free = Array((0..<max(1, poolSize)).reversed())
        let first = acquire()
        defer { release(first) }
        _ = try connected(first)
    }

    deinit {
        for connection in connections { connection?.close().whenComplete { _ in } }
    }

    @discardableResult
    public func query(_ sql: String, _ bindings: [SQLValue]) throws -> [[SQLValue]] {
        if let held = heldByThisThread() { return try run(sql, bindings, on: held, reconnecting: false) }
        let slot = acquire()
        defer { release(slot) }
        return try run(sql, bindings, on: slot, reconnecting: true)
    }

    public func transaction<T>(_ body: () throws -> T) throws -> T {
        let slot = acquire()
        defer { release(slot) }
        _ = try run("BEGIN", [], on: slot, reconnecting: true)
        setHeld(slot)
        defer { setHeld(nil) }
        do {
            _ = try run("SELECT pg_advisory_xact_lock(\(Self.transactionLockKey))", [], on: slot, reconnecting: false)
            let result = try body()
            _ = try run("COMMIT", [], on: slot, reconnecting: false)
            return result
        } catch {
            _ = try? run("ROLLBACK", [], on: slot, reconnecting: false)
            throw error
        }
    }

    @discardableResult
    public func queryInTransaction(_ sql: String, _ bindings: [SQLValue]) throws -> [[SQLValue]] {
        guard let held = heldByThisThread() else { throw SQLError("\(name): queryInTransaction called outside a transaction") }
        return try run(sql, bindings, on: held, reconnecting: false)
    }

    /// A free connection's slot, waiting for one when all are in use.
    private func acquire() -> Int {
        pool.lock(); defer { pool.unlock() }
        while free.isEmpty { pool.wait() }
        return free.removeLast()
    }

    private func release(_ slot: Int) {
        pool.lock(); defer { pool.unlock() }
        free.append(slot)
        pool.signal()
    }

    private func heldByThisThread() -> Int? {
        pool.lock(); defer { pool.unlock() }
        return transactions[UInt(pthread_self())]
    }

    private func setHeld(_ slot: Int?) {
        pool.lock(); defer { pool.unlock() }
        transactions[UInt(pthread_self())] = slot
    }

    @discardableResult
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

    /// The open connection of `slot` (held by the caller), opened (again) when there is none
    /// or it closed.
    private func connected(_ slot: Int) throws -> PostgresConnection {
        pool.lock()
        let existing = connections[slot]
        pool.unlock()
        if let existing, !existing.isClosed { return existing }
        do {
            let opened = try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration,
                                                        id: slot + 1, logger: logger).wait()
            pool.lock()
            connections[slot] = opened
            pool.unlock()
            return opened
        } catch {
            throw SQLError("\(name): cannot connect to PostgreSQL (\(Self.describe(error))); expected a running server and a valid user, password and database")
        }
    }

    /// Runs one statement (each `CREATE` statement adapted to PostgreSQL may become several) on
    /// the connection of `slot`, which the caller holds; outside a transaction a closed
    /// connection is reopened once.
    private func run(_ sql: String, _ bindings: [SQLValue], on slot: Int, reconnecting: Bool) throws -> [[SQLValue]] {
        var rows: [[SQLValue]] = []
        for statement in PostgresDialect.statements(sql) {
            let query = PostgresQuery(unsafeSQL: PostgresDialect.numberingPlaceholders(statement), binds: try Self.binds(bindings))
            do {
                rows = try Self.rows(try answer(connected(slot).query(query, logger: logger)))
            } catch let error as SQLError {
                throw error
            } catch {
                if reconnecting, isConnectionLost(error) {
                    drop(slot)  // connected(slot) opens a new one
                    rows = try Self.rows(try answer(connected(slot).query(query, logger: logger)))
                    continue
                }
                if error is NoAnswer { drop(slot) }
                throw SQLError("\(name): PostgreSQL error (\(Self.describe(error))) in: \(statement)")
            }
        }
        return rows
    }

    /// How long a statement may go unanswered (a transaction waiting for another's lock
    /// included) before its connection is given up as lost.
    static let answerTimeout = TimeAmount.seconds(120)

    /// PostgreSQL did not answer within ``answerTimeout``.
    struct NoAnswer: Error, CustomStringConvertible {
        var description: String { "no answer within \(PostgresDatabase.answerTimeout.nanoseconds / 1_000_000_000) s" }
    }

    /// The result of `future`, waiting at most ``answerTimeout`` (a connection that dropped
    /// without telling must not block its caller forever).
    private func answer<T: Sendable>(_ future: EventLoopFuture<T>) throws -> T {
        let bounded = future.eventLoop.makePromise(of: T.self)
        future.cascade(to: bounded)
        let timer = future.eventLoop.scheduleTask(in: Self.answerTimeout) { bounded.fail(NoAnswer()) }
        defer { timer.cancel() }
        return try bounded.futureResult.wait()
    }

    /// Whether `error` says the connection is gone (closed, or ended by the server: SQLSTATE
    /// class 08, connection exception, or 57P, operator intervention) rather than the statement
    /// failing.
    private func isConnectionLost(_ error: any Error) -> Bool {
        if error is NoAnswer { return true }
        guard let error = error as? PSQLError else { return false }
        if error.code == .serverClosedConnection || error.code == .clientClosedConnection { return true }
        guard let state = error.serverInfo?[.sqlState] else { return false }
        return state.hasPrefix("08") || state.hasPrefix("57P")
    }

    /// Forgets the connection of `slot` (held by the caller), closing it if it is still open.
    private func drop(_ slot: Int) {
        pool.lock()
        let connection = connections[slot]
        connections[slot] = nil
        pool.unlock()
        connection?.close().whenComplete { _ in }
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

