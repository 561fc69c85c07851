import Foundation
import LeptonPlatform
import LeptonSQL
import LeptonTestSupport
import Testing

@Suite("AuditLog")
struct AuditLogTests {
    static func entry(_ i: Int, workspace: String = "ws_a") -> AuditEntry {
        AuditEntry(workspaceID: workspace, keyID: "k\(i)", action: "POST /api/v1/datasets", resource: "/api/v1/datasets",
                   result: "201", requestID: "r\(i)", source: "127.0.0.1:5000")
    }

    @Test("appended rows chain and verify; reading filters by workspace")
    func chainVerifies() async throws {
        let (platform, _) = try await PlatformFixtures.platform("audit")
        let before = try await platform.audit.verify()  // init wrote one row
        for i in 0..<12 { try await platform.audit.record(Self.entry(i, workspace: i % 2 == 0 ? "ws_a" : "ws_b")) }
        #expect(try await platform.audit.verify() == before + 12)
        let a = try await platform.audit.records(workspaceID: "ws_a", limit: 1000)
        #expect(a.count == 6 && a.allSatisfy { $0.entry.workspaceID == "ws_a" })
        #expect(a.map(\.entry.requestID) == ["r0", "r2", "r4", "r6", "r8", "r10"])
    }

    /// The platform's database: SQLite (in the platform's folder) or a PostgreSQL test database.
    static func database(_ backend: SQLBackend) throws -> TestDatabase? {
        backend == .sqlite ? nil : try TestDatabase(backend)
    }

    @Test("concurrent appends never fork the chain", arguments: SQLBackend.allCases)
    func concurrentAppends(backend: SQLBackend) async throws {
        let (platform, _) = try await PlatformFixtures.platform("audit-concurrent", database: try Self.database(backend))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<64 { group.addTask { try await platform.audit.record(Self.entry(i)) } }
            try await group.waitForAll()
        }
        #expect(try await platform.audit.verify() == 65)
    }

    @Test("the store refuses updates and deletes; an edit made behind its back breaks verification at that row",
          arguments: SQLBackend.allCases)
    func tamperDetected(backend: SQLBackend) async throws {
        let database = try Self.database(backend)
        let (platform, _) = try await PlatformFixtures.platform("audit-tamper", database: database)
        for i in 0..<5 { try await platform.audit.record(Self.entry(i)) }
        let db: any SQLDatabase = try database?.open() ?? SQLiteConnection(path: platform.dataFolder.appendingPathComponent("platform.db").path)
        let onTable = backend == .postgresql ? " ON audit_log" : ""
        #expect(throws: SQLError.self) { try db.execute("UPDATE audit_log SET result = '200' WHERE sequence = 3") }
        #expect(throws: SQLError.self) { try db.execute("DELETE FROM audit_log WHERE sequence = 3") }
        // Someone with the file drops the trigger and edits a row: the chain shows it.
        try db.execute("DROP TRIGGER audit_log_no_update\(onTable)")
        try db.execute("UPDATE audit_log SET key_id = 'someone-else' WHERE sequence = 3")
        let edited = await #expect(throws: PlatformError.self) { try await platform.audit.verify() }
        #expect(edited?.kind == .integrity && edited?.message.contains("row 3") == true)
        // Deleting a row (and re-linking nothing) is caught too.
        try db.execute("DROP TRIGGER audit_log_no_delete\(onTable)")
        try db.execute("DELETE FROM audit_log WHERE sequence = 3")
        let deleted = await #expect(throws: PlatformError.self) { try await platform.audit.verify() }
        #expect(deleted?.message.contains("row 3") == true)
    }

    @Test("a record's hash changes with every field")
    func hashCoversFields() {
        let base = Self.entry(1)
        let hash = AuditRecord(sequence: 1, entry: base, previousHash: AuditRecord.genesisHash).hash
        let variants = [
            AuditEntry(workspaceID: "ws_b", keyID: "k1", action: base.action, resource: base.resource, result: "201", requestID: "r1", source: base.source),
            AuditEntry(workspaceID: "ws_a", keyID: "k1", action: base.action, resource: base.resource, result: "403", requestID: "r1", source: base.source),
            AuditEntry(workspaceID: "ws_a", keyID: "k1", action: base.action, resource: base.resource, result: "201", requestID: "r1", source: "10.0.0.1:1"),
        ]
        for variant in variants { #expect(AuditRecord(sequence: 1, entry: variant, previousHash: AuditRecord.genesisHash).hash != hash) }
        #expect(AuditRecord(sequence: 2, entry: base, previousHash: AuditRecord.genesisHash).hash != hash)
    }
}
