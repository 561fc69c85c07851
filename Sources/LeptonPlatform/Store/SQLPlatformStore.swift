import Foundation
import LeptonSQL

/// The store over SQL: one SQLite file in WAL mode (`<data>/platform.db`, the embedded default)
/// or a PostgreSQL database (`--database postgresql://…`), migrated to the current schema when
/// opened. Calls are short and synchronous under the connection's lock; read-then-write steps
/// run in transactions that hold the database's write lock (see ``SQLDatabase``).
public final class SQLPlatformStore: PlatformStore, @unchecked Sendable {
    let db: any SQLDatabase

    /// The store in `database`, migrated to the current schema.
    /// - Throws: ``PlatformError`` when the database is not a platform database (or a newer one).
    public init(database: any SQLDatabase) throws {
        db = database
        do {
            try db.migrate(PlatformSchema.migrations)
        } catch let error as SQLError {
            throw PlatformError(.internalError, "\(database.name): not a usable platform database (\(error.message))")
        }
    }

    /// Opens (or creates) the store in the SQLite file at `path` or the PostgreSQL database a
    /// `postgresql://` URL names.
    /// - Throws: ``PlatformError`` when the database cannot be opened or is not a platform database.
    public convenience init(url: String) throws {
        do {
            try self.init(database: try SQLDatabases.open(url))
        } catch let error as SQLError {
            throw PlatformError(.internalError, "\(SQLDatabases.redacted(url)): not a usable platform database (\(error.message))")
        }
    }

    // MARK: Workspaces

    public func createWorkspace(name: String) async throws -> Workspace {
        try await db.perform { [self] in
            let workspace = Workspace(id: PlatformID.make("ws"), name: name, created: Date())
            try db.transaction {
                guard try db.queryInTransaction("SELECT 1 FROM workspaces WHERE name = ?", [.text(name)]).isEmpty else {
                    throw PlatformError(.conflict, "a workspace named \"\(name)\" exists already")
                }
                try db.queryInTransaction("INSERT INTO workspaces (id, name, created) VALUES (?, ?, ?)",
                                          [.text(workspace.id), .text(name), .real(workspace.created.timeIntervalSince1970)])
            }
            return workspace
        }
    }

    public func workspace(named name: String) async throws -> Workspace? {
        try await db.perform { [self] in
            try db.query("SELECT id, name, created FROM workspaces WHERE name = ?", [.text(name)]).first.map(Self.workspaceFromRow)
        }
    }

    public func workspaces() async throws -> [Workspace] {
        try await db.perform { [self] in
            try db.query("SELECT id, name, created FROM workspaces ORDER BY created, id").map(Self.workspaceFromRow)
        }
    }

    private static func workspaceFromRow(_ row: [SQLValue]) -> Workspace {
        Workspace(id: row[0].string ?? "", name: row[1].string ?? "", created: date(row[2]) ?? Date(timeIntervalSince1970: 0))
    }

    // MARK: Keys

    private static let keyColumns = "id, workspace_id, role, name, secret_hash, created, expires, revoked, last_used"

    public func insertKey(_ key: APIKey) async throws {
        try await db.perform { [self] in
            try db.execute("INSERT INTO api_keys (\(Self.keyColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                .text(key.id), .text(key.workspaceID), .text(key.role.rawValue), .text(key.name), .text(key.secretHash),
                .real(key.created.timeIntervalSince1970), SQLValue(key.expires?.timeIntervalSince1970),
                SQLValue(key.revoked?.timeIntervalSince1970), SQLValue(key.lastUsed?.timeIntervalSince1970),
            ])
        }
    }

    public func key(id: String) async throws -> APIKey? {
        try await db.perform { [self] in
            try db.query("SELECT \(Self.keyColumns) FROM api_keys WHERE id = ?", [.text(id)]).first.flatMap(Self.keyFromRow)
        }
    }

    public func keys(workspaceID: String) async throws -> [APIKey] {
        try await db.perform { [self] in
            try db.query("SELECT \(Self.keyColumns) FROM api_keys WHERE workspace_id = ? ORDER BY created, id", [.text(workspaceID)])
                .compactMap(Self.keyFromRow)
        }
    }

    public func revokeKey(id: String, at time: Date) async throws {
        try await db.perform { [self] in
            try db.execute("UPDATE api_keys SET revoked = ? WHERE id = ? AND revoked IS NULL", [.real(time.timeIntervalSince1970), .text(id)])
        }
    }

    public func touchKey(id: String, at time: Date) async throws {
        try await db.perform { [self] in
            try db.execute("UPDATE api_keys SET last_used = ? WHERE id = ?", [.real(time.timeIntervalSince1970), .text(id)])
        }
    }

    private static func keyFromRow(_ row: [SQLValue]) -> APIKey? {
        guard let id = row[0].string, let workspace = row[1].string, let role = row[2].string.flatMap(Role.init(rawValue:)),
              let hash = row[4].string, let created = date(row[5]) else { return nil }
        return APIKey(id: id, workspaceID: workspace, role: role, name: row[3].string ?? "", secretHash: hash, created: created,
                      expires: date(row[6]), revoked: date(row[7]), lastUsed: date(row[8]))
    }

    // MARK: Audit

    private static let auditColumns = "sequence, time_ms, workspace_id, key_id, action, resource, result, request_id, source, previous_hash, hash"

    public func appendAudit(_ entry: AuditEntry) async throws -> AuditRecord {
        try await db.perform { [self] in
            try db.transaction {
                let last = try db.queryInTransaction("SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1").first
                let record = AuditRecord(sequence: (last?[0].int ?? 0) + 1, entry: entry, previousHash: last?[1].string ?? AuditRecord.genesisHash)
                try db.queryInTransaction("INSERT INTO audit_log (\(Self.auditColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                    .integer(record.sequence), .integer(Int(entry.timeMilliseconds)), SQLValue(entry.workspaceID), SQLValue(entry.keyID),
                    .text(entry.action), .text(entry.resource), .text(entry.result), .text(entry.requestID), .text(entry.source),
                    .text(record.previousHash), .text(record.hash),
                ])
                return record
            }
        }
    }

    public func auditRecords(workspaceID: String?, after: Int, limit: Int) async throws -> [AuditRecord] {
        try await db.perform { [self] in
            let filter = workspaceID == nil ? "" : " AND workspace_id = ?"
            let rows = try db.query("SELECT \(Self.auditColumns) FROM audit_log WHERE sequence > ?\(filter) ORDER BY sequence LIMIT ?",
                                    [SQLValue.integer(after)] + (workspaceID.map { [SQLValue.text($0)] } ?? []) + [SQLValue.integer(limit)])
            return rows.map { row in
                let entry = AuditEntry(timeMilliseconds: Int64(row[1].int ?? 0), workspaceID: row[2].string, keyID: row[3].string,
                                       action: row[4].string ?? "", resource: row[5].string ?? "", result: row[6].string ?? "",
                                       requestID: row[7].string ?? "", source: row[8].string ?? "")
                return AuditRecord(sequence: row[0].int ?? 0, entry: entry, previousHash: row[9].string ?? "", hash: row[10].string ?? "")
            }
        }
    }

    // MARK: Datasets

    private static let datasetColumns = "id, workspace_id, name, created, wrapped_key, master_key_id"

    public func insertDataset(_ dataset: Dataset) async throws {
        try await db.perform { [self] in
            try db.transaction {
                guard try db.queryInTransaction("SELECT 1 FROM datasets WHERE workspace_id = ? AND name = ?",
                                                [.text(dataset.workspaceID), .text(dataset.name)]).isEmpty else {
                    throw PlatformError(.conflict, "a dataset named \"\(dataset.name)\" exists already in this workspace")
                }
                try db.queryInTransaction("INSERT INTO datasets (\(Self.datasetColumns)) VALUES (?, ?, ?, ?, ?, ?)", [
                    .text(dataset.id), .text(dataset.workspaceID), .text(dataset.name), .real(dataset.created.timeIntervalSince1970),
                    .text(dataset.wrappedKey), .text(dataset.masterKeyID),
                ])
            }
        }
    }

    public func dataset(id: String, workspaceID: String) async throws -> Dataset? {
        try await db.perform { [self] in
            try db.query("SELECT \(Self.datasetColumns) FROM datasets WHERE id = ? AND workspace_id = ?", [.text(id), .text(workspaceID)])
                .first.flatMap(Self.datasetFromRow)
        }
    }

    public func datasets(workspaceID: String) async throws -> [Dataset] {
        try await db.perform { [self] in
            try db.query("SELECT \(Self.datasetColumns) FROM datasets WHERE workspace_id = ? ORDER BY created, id", [.text(workspaceID)])
                .compactMap(Self.datasetFromRow)
        }
    }

    public func allDatasets() async throws -> [Dataset] {
        try await db.perform { [self] in
            try db.query("SELECT \(Self.datasetColumns) FROM datasets ORDER BY created, id").compactMap(Self.datasetFromRow)
        }
    }

    public func deleteDataset(id: String) async throws {
        try await db.perform { [self] in
            try db.execute("DELETE FROM datasets WHERE id = ?", [.text(id)])
        }
    }

    public func insertVersion(datasetID: String, blobID: String, size: Int, sha256: String, preview: DatasetPreview,
                              created: Date) async throws -> DatasetVersion {
        try await db.perform { [self] in
            let previewText = String(decoding: try JSONEncoder().encode(preview), as: UTF8.self)
            return try db.transaction {
                let number = (try db.queryInTransaction("SELECT MAX(number) FROM dataset_versions WHERE dataset_id = ?",
                                                        [.text(datasetID)]).first?.first?.int ?? 0) + 1
                try db.queryInTransaction("""
                    INSERT INTO dataset_versions (dataset_id, number, blob_id, size, sha256, preview, created) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, [.text(datasetID), .integer(number), .text(blobID), .integer(size), .text(sha256), .text(previewText),
                          .real(created.timeIntervalSince1970)])
                return DatasetVersion(datasetID: datasetID, number: number, blobID: blobID, size: size, sha256: sha256,
                                      preview: preview, created: created)
            }
        }
    }

    public func versions(datasetID: String) async throws -> [DatasetVersion] {
        try await db.perform { [self] in
            try db.query("""
                SELECT dataset_id, number, blob_id, size, sha256, preview, created FROM dataset_versions WHERE dataset_id = ? ORDER BY number
                """, [.text(datasetID)]).compactMap { row in
                guard let id = row[0].string, let number = row[1].int, let blob = row[2].string, let size = row[3].int,
                      let sha = row[4].string, let created = Self.date(row[6]) else { return nil }
                let preview = (try? JSONDecoder().decode(DatasetPreview.self, from: Data((row[5].string ?? "").utf8)))
                    ?? DatasetPreview(format: .binary)
                return DatasetVersion(datasetID: id, number: number, blobID: blob, size: size, sha256: sha, preview: preview, created: created)
            }
        }
    }

    public func rewrapKeys(_ updates: [WrappedKeyUpdate]) async throws {
        try await db.perform { [self] in
            try db.transaction {
                for update in updates {
                    let table = update.owner == .dataset ? "datasets" : "models"
                    try db.queryInTransaction("UPDATE \(table) SET wrapped_key = ?, master_key_id = ? WHERE id = ?",
                                              [.text(update.wrappedKey), .text(update.masterKeyID), .text(update.id)])
                }
            }
        }
    }

    private static func datasetFromRow(_ row: [SQLValue]) -> Dataset? {
        guard let id = row[0].string, let workspace = row[1].string, let name = row[2].string, let created = date(row[3]),
              let wrapped = row[4].string, let master = row[5].string else { return nil }
        return Dataset(id: id, workspaceID: workspace, name: name, created: created, wrappedKey: wrapped, masterKeyID: master)
    }

    private static func date(_ value: SQLValue) -> Date? { value.double.map(Date.init(timeIntervalSince1970:)) }
}
