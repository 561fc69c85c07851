import Foundation
import LeptonPlatform
import Testing

/// The store test-suite: every ``PlatformStore`` implementation must pass it (today the SQLite
/// store; a PostgreSQL store would run the same checks).
@Suite("PlatformStore")
struct PlatformStoreTests {
    static func sqliteStore() throws -> any PlatformStore {
        let folder = PlatformFixtures.folder("store")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try SQLitePlatformStore(path: folder.appendingPathComponent("platform.db").path)
    }

    @Test("workspaces: create, find, unique names")
    func workspaces() async throws {
        let store = try Self.sqliteStore()
        let a = try await store.createWorkspace(name: "a")
        #expect(try await store.workspace(named: "a").map { [$0.id, $0.name] } == [a.id, "a"])
        #expect(try await store.workspace(named: "zz") == nil)
        let error = await #expect(throws: PlatformError.self) { try await store.createWorkspace(name: "a") }
        #expect(error?.kind == .conflict)
        _ = try await store.createWorkspace(name: "b")
        #expect(try await store.workspaces().map(\.name) == ["a", "b"])
    }

    @Test("keys: insert, read back exactly, revoke once, touch")
    func keys() async throws {
        let store = try Self.sqliteStore()
        let ws = try await store.createWorkspace(name: "a")
        let created = Date(timeIntervalSince1970: 1_700_000_000.25)
        let key = APIKey(id: "0123456789abcdef", workspaceID: ws.id, role: .editor, name: "ci", secretHash: String(repeating: "f", count: 64),
                         created: created, expires: created.addingTimeInterval(3600))
        try await store.insertKey(key)
        #expect(try await store.key(id: key.id) == key)
        try await store.revokeKey(id: key.id, at: created.addingTimeInterval(10))
        try await store.revokeKey(id: key.id, at: created.addingTimeInterval(99))  // the first revocation time stays
        try await store.touchKey(id: key.id, at: created.addingTimeInterval(5))
        let read = try #require(try await store.key(id: key.id))
        #expect(read.revoked == created.addingTimeInterval(10) && read.lastUsed == created.addingTimeInterval(5))
        #expect(try await store.keys(workspaceID: ws.id).map(\.id) == [key.id])
        #expect(try await store.keys(workspaceID: "ws_other").isEmpty)
    }

    @Test("audit: sequence numbers and links are assigned by the store, pages by sequence")
    func audit() async throws {
        let store = try Self.sqliteStore()
        var chain = AuditChain()
        for i in 0..<7 {
            let record = try await store.appendAudit(AuditLogTests.entry(i, workspace: i < 3 ? "ws_a" : "ws_b"))
            try chain.check(record)
        }
        #expect(try await store.auditRecords(workspaceID: nil, after: 2, limit: 3).map(\.sequence) == [3, 4, 5])
        #expect(try await store.auditRecords(workspaceID: "ws_a", after: 0, limit: 10).map(\.sequence) == [1, 2, 3])
        var again = AuditChain()
        for record in try await store.auditRecords(workspaceID: nil, after: 0, limit: 100) { try again.check(record) }
        #expect(again.lastHash == chain.lastHash)
    }

    @Test("datasets: unique names per workspace, numbered versions, cascade on delete, re-wrap")
    func datasets() async throws {
        let store = try Self.sqliteStore()
        let ws = try await store.createWorkspace(name: "a")
        let dataset = Dataset(id: "ds_000000000000000000000001", workspaceID: ws.id, name: "mnist", created: Date(timeIntervalSince1970: 5),
                              wrappedKey: "d3JhcHBlZA==", masterKeyID: "mk-1")
        try await store.insertDataset(dataset)
        await #expect(throws: PlatformError.self) { try await store.insertDataset(dataset) }
        #expect(try await store.dataset(id: dataset.id, workspaceID: ws.id) == dataset)
        #expect(try await store.dataset(id: dataset.id, workspaceID: "ws_other") == nil)
        let preview = DatasetPreview(format: .csv, columns: ["a", "b"], rows: 2)
        let v1 = try await store.insertVersion(datasetID: dataset.id, blobID: "blob_1", size: 10, sha256: "aa", preview: preview, created: Date())
        let v2 = try await store.insertVersion(datasetID: dataset.id, blobID: "blob_2", size: 20, sha256: "bb", preview: preview, created: Date())
        #expect(v1.number == 1 && v2.number == 2)
        #expect(try await store.versions(datasetID: dataset.id).map(\.preview) == [preview, preview])
        try await store.rewrapKeys([WrappedKeyUpdate(owner: .dataset, id: dataset.id, wrappedKey: "bmV3", masterKeyID: "mk-2")])
        #expect(try await store.allDatasets().first?.masterKeyID == "mk-2")
        try await store.deleteDataset(id: dataset.id)
        #expect(try await store.versions(datasetID: dataset.id).isEmpty)
        #expect(try await store.datasets(workspaceID: ws.id).isEmpty)
    }
}
