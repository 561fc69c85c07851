import Foundation
import LeptonNN
import LeptonSQL

/// Studies in a SQL database shared by every process that opens it: one SQLite file (the
/// default storage, `sqlite:///path/to/study.db`) or PostgreSQL (`postgresql://…`), for workers
/// on several machines. See ``SQLDatabase`` for how several processes write without
/// "database is locked".
///
/// ```swift
/// let storage = try SQLStudyStorage(path: "out/tune/study.db")
/// let study = try Study(name: "mnist", space: space, storage: storage)
/// ```
public final class SQLStudyStorage: StudyStorage, @unchecked Sendable {
    private let connection: any SQLDatabase
    /// The database: a file path, or a URL without its password.
    public var path: String { connection.name }

    /// Opens (or creates) the SQLite database at `path`, creating its folder and tables as needed.
    /// - Throws: ``TuneError`` when the file cannot be opened or is not a study database.
    public convenience init(path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        do {
            try self.init(database: try SQLiteConnection(path: path))
        } catch let error as SQLError {
            throw TuneError("\(path): not a Lepton study database (\(error.description))")
        }
    }

    /// The studies in `database`, creating its tables as needed.
    /// - Throws: ``TuneError`` when the tables cannot be created.
    public init(database: any SQLDatabase) throws {
        connection = database
        do {
            try connection.transaction {
                for statement in Self.schema { try connection.queryInTransaction(statement) }
            }
        } catch let error as SQLError {
            throw TuneError("\(database.name): not a Lepton study database (\(error.description))")
        }
    }

    static let schema = [
        """
        CREATE TABLE IF NOT EXISTS studies (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, direction TEXT NOT NULL, space TEXT, created REAL NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS trials (
            study_id INTEGER NOT NULL REFERENCES studies(id), number INTEGER NOT NULL, state TEXT NOT NULL,
            params TEXT NOT NULL, value REAL, reason TEXT, worker_pid INTEGER, worker_host TEXT,
            started REAL, heartbeat REAL, finished REAL, retry_of INTEGER,
            PRIMARY KEY (study_id, number))
        """,
        """
        CREATE TABLE IF NOT EXISTS intermediate_values (
            study_id INTEGER NOT NULL, number INTEGER NOT NULL, step INTEGER NOT NULL, value REAL NOT NULL,
            PRIMARY KEY (study_id, number, step))
        """,
    ]

    public func study(named name: String, direction: StudyDirection, space: SearchSpace?) throws -> StudyRecord {
        let spaceText = try space.map(ParamsCoding.encode)
        return try connection.transaction {
            if let existing = try findStudy(name) {
                guard existing.direction == direction else {
                    throw TuneError("study \"\(name)\" exists in \(path) with direction \(existing.direction.rawValue); asked for \(direction.rawValue)")
                }
                guard let spaceText else { return existing }
                try connection.queryInTransaction("UPDATE studies SET space = ? WHERE id = ?", [.text(spaceText), .integer(existing.id)])
                return StudyRecord(id: existing.id, name: name, direction: direction, space: space)
            }
            let inserted = try connection.queryInTransaction(
                "INSERT INTO studies (name, direction, space, created) VALUES (?, ?, ?, ?) RETURNING id",
                [.text(name), .text(direction.rawValue), SQLValue(spaceText), .real(Date().timeIntervalSince1970)])
            guard let id = inserted.first?.first?.int else { throw TuneError("\(path): the new study \"\(name)\" got no id") }
            return StudyRecord(id: id, name: name, direction: direction, space: space)
        }
    }

    public func studies() throws -> [StudyRecord] {
        try connection.query("SELECT id, name, direction, space FROM studies ORDER BY id").compactMap(Self.studyRecord)
    }

    private func findStudy(_ name: String) throws -> StudyRecord? {
        try connection.queryInTransaction("SELECT id, name, direction, space FROM studies WHERE name = ?", [.text(name)])
            .first.flatMap(Self.studyRecord)
    }

    private static func studyRecord(_ row: [SQLValue]) -> StudyRecord? {
        guard let id = row[0].int, let name = row[1].string, let direction = row[2].string.flatMap(StudyDirection.init) else { return nil }
        return StudyRecord(id: id, name: name, direction: direction, space: row[3].string.flatMap(ParamsCoding.decodeSpace))
    }

    public func atomically<T>(study id: Int, _ body: (any StudyTransaction) throws -> T) throws -> T {
        try connection.transaction { try body(Transaction(storage: self, study: id)) }
    }

    public func trials(study id: Int) throws -> [FrozenTrial] {
        try connection.transaction { try readTrials(study: id) }
    }

    public func report(study id: Int, trial number: Int, step: Int, value: Double) throws {
        try connection.transaction {
            try connection.queryInTransaction(
                """
                INSERT INTO intermediate_values (study_id, number, step, value) VALUES (?, ?, ?, ?)
                ON CONFLICT (study_id, number, step) DO UPDATE SET value = excluded.value
                """,
                [.integer(id), .integer(number), .integer(step), .real(value)])
            try connection.queryInTransaction("UPDATE trials SET heartbeat = ? WHERE study_id = ? AND number = ?",
                                              [.real(Date().timeIntervalSince1970), .integer(id), .integer(number)])
        }
    }

    public func heartbeat(study id: Int, trial number: Int) throws {
        try connection.execute("UPDATE trials SET heartbeat = ? WHERE study_id = ? AND number = ?",
                               [.real(Date().timeIntervalSince1970), .integer(id), .integer(number)])
    }

    fileprivate func readTrials(study id: Int) throws -> [FrozenTrial] {
        var intermediate: [Int: [Int: Double]] = [:]
        for row in try connection.queryInTransaction("SELECT number, step, value FROM intermediate_values WHERE study_id = ?", [.integer(id)]) {
            if let number = row[0].int, let step = row[1].int, let value = row[2].double { intermediate[number, default: [:]][step] = value }
        }
        let rows = try connection.queryInTransaction("""
            SELECT number, state, params, value, reason, worker_pid, worker_host, started, heartbeat, finished, retry_of
            FROM trials WHERE study_id = ? ORDER BY number
            """, [.integer(id)])
        return try rows.map { row in
            guard let number = row[0].int, let state = row[1].string.flatMap(TrialState.init), let params = row[2].string else {
                throw TuneError("\(path): a trial row of study \(id) is damaged (\(row))")
            }
            let worker = row[5].int.flatMap { pid in row[6].string.map { WorkerIdentity(pid: Int32(truncatingIfNeeded: pid), host: $0) } }
            return FrozenTrial(number: number, state: state, params: try ParamsCoding.decode(params), value: row[3].double,
                               reason: row[4].string, intermediate: intermediate[number] ?? [:], worker: worker,
                               started: row[7].double.map(Date.init(timeIntervalSince1970:)),
                               heartbeat: row[8].double.map(Date.init(timeIntervalSince1970:)),
                               finished: row[9].double.map(Date.init(timeIntervalSince1970:)), retryOf: row[10].int)
        }
    }

    /// The operations of one ``atomically(study:_:)`` call, on the connection it locked.
    private struct Transaction: StudyTransaction {
        let storage: SQLStudyStorage
        let study: Int
        var connection: any SQLDatabase { storage.connection }

        func trials() throws -> [FrozenTrial] { try storage.readTrials(study: study) }

        func insert(state: TrialState, params: [String: ConfigValue], worker: WorkerIdentity?, retryOf: Int?) throws -> FrozenTrial {
            let number = try connection.queryInTransaction("SELECT COALESCE(MAX(number) + 1, 0) FROM trials WHERE study_id = ?",
                                                           [.integer(study)]).first?.first?.int ?? 0
            let now = Date()
            try connection.queryInTransaction("""
                INSERT INTO trials (study_id, number, state, params, worker_pid, worker_host, started, heartbeat, retry_of)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [.integer(study), .integer(number), .text(state.rawValue), .text(try ParamsCoding.encode(params)),
                      SQLValue(worker.map { Int($0.pid) }), SQLValue(worker?.host), .real(now.timeIntervalSince1970),
                      .real(now.timeIntervalSince1970), SQLValue(retryOf)])
            return FrozenTrial(number: number, state: state, params: params, worker: worker, started: now, heartbeat: now, retryOf: retryOf)
        }

        func claim(trial number: Int, worker: WorkerIdentity) throws {
            let now = Date().timeIntervalSince1970
            try connection.queryInTransaction("""
                UPDATE trials SET state = 'running', worker_pid = ?, worker_host = ?, started = ?, heartbeat = ?
                WHERE study_id = ? AND number = ?
                """, [.integer(Int(worker.pid)), .text(worker.host), .real(now), .real(now), .integer(study), .integer(number)])
        }

        func finish(trial number: Int, state: TrialState, value: Double?, reason: String?) throws {
            try connection.queryInTransaction("""
                UPDATE trials SET state = ?, value = ?, reason = ?, finished = ? WHERE study_id = ? AND number = ?
                """, [.text(state.rawValue), SQLValue(value), SQLValue(reason), .real(Date().timeIntervalSince1970),
                      .integer(study), .integer(number)])
        }
    }
}
