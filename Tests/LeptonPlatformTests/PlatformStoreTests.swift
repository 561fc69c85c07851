import Foundation
import LeptonPlatform
import LeptonTestSupport
import Testing

/// The store test-suite: every test runs once on the embedded SQLite store and once on
/// PostgreSQL (the server scripts/test.sh starts, see ``PostgresTestServer``).
@Suite("PlatformStore")
struct PlatformStoreTests {
    static func store(_ backend: SQLBackend) throws -> SQLPlatformStore {
        try SQLPlatformStore(database: try TestDatabase(backend).open())
    }

    @Test("workspaces: create, find, unique names", arguments: SQLBackend.allCases)
    func workspaces(backend: SQLBackend) async throws {
        let store = try Self.store(backend)
        let a = try await store.createWorkspace(name: "a")
        #expect(try await store.workspace(named: "a").map { [$0.id, $0.name] } == [a.id, "a"])
        #expect(try await store.workspace(named: "zz") == nil)
        let error = await #expect(throws: PlatformError.self) { try await store.createWorkspace(name: "a") }
        #expect(error?.kind == .conflict)
        _ = try await store.createWorkspace(name: "b")
        #expect(try await store.workspaces().map(\.name) == ["a", "b"])
    }

    @Test("keys: insert, read back exactly, revoke once, touch", arguments: SQLBackend.allCases)
    func keys(backend: SQLBackend) async throws {
        let store = try Self.store(backend)
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

    @Test("audit: sequence numbers and links are assigned by the store, pages by sequence", arguments: SQLBackend.allCases)
    func audit(backend: SQLBackend) async throws {
        let store = try Self.store(backend)
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

    @Test("datasets: unique names per workspace, numbered versions, cascade on delete, re-wrap", arguments: SQLBackend.allCases)
    func datasets(backend: SQLBackend) async throws {
        let store = try Self.store(backend)
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

    @Test("jobs: compare-and-set updates, priority order; model versions numbered; deployment events in order",
          arguments: SQLBackend.allCases)
    func jobsModelsAndEvents(backend: SQLBackend) async throws {
        let store = try Self.store(backend)
        let ws = try await store.createWorkspace(name: "a")
        let low = Job(id: "job_1", workspaceID: ws.id, submittedBy: "k", config: "c", inputs: [], priority: 0, cpus: 1, maxRetries: 0,
                      created: Date(timeIntervalSince1970: 10))
        let high = Job(id: "job_2", workspaceID: ws.id, submittedBy: "k", config: "c", inputs: [], priority: 5, cpus: 1, maxRetries: 0,
                       created: Date(timeIntervalSince1970: 20))
        try await store.insertJob(low)
        try await store.insertJob(high)
        #expect(try await store.jobs(in: [.queued]).map(\.id) == ["job_2", "job_1"])
        var running = low
        running.state = .running
        #expect(try await store.updateJob(running, expecting: .queued))
        #expect(try await !store.updateJob(running, expecting: .queued), "a second update from the old state is refused")
        #expect(try await store.job(id: "job_1", workspaceID: ws.id)?.state == .running)
        #expect(try await store.job(id: "job_1", workspaceID: "ws_other") == nil)
        #expect(try await store.jobs(workspaceID: ws.id, limit: 1).map(\.id) == ["job_2"])

        let model = RegisteredModel(id: "mdl_1", workspaceID: ws.id, name: "m", created: Date(timeIntervalSince1970: 30),
                                    wrappedKey: "a2V5", masterKeyID: "mk-1")
        try await store.insertModel(model)
        await #expect(throws: PlatformError.self) { try await store.insertModel(model) }
        let lineage = ModelLineage(jobID: "job_1", inputs: [], configSHA256: "00")
        let v1 = try await store.insertModelVersion(modelID: model.id, lineage: lineage, files: [], created: Date())
        let v2 = try await store.insertModelVersion(modelID: model.id, lineage: lineage, files: [], created: Date())
        #expect(v1.number == 1 && v2.number == 2)
        #expect(try await store.modelVersions(modelID: model.id).map(\.number) == [1, 2])
        #expect(try await store.model(named: "m", workspaceID: ws.id)?.id == model.id)

        let events = [("created", "one"), ("scaled", "two"), ("deleted", "three")]
        var sequences: [Int] = []
        for (kind, message) in events {
            sequences.append(try await store.appendDeploymentEvent(DeploymentEvent(deploymentID: "dep_1", kind: kind, message: message)).sequence)
        }
        #expect(sequences == sequences.sorted() && Set(sequences).count == 3 && sequences[0] > 0)
        #expect(try await store.deploymentEvents(deploymentID: "dep_1", limit: 2).map(\.message) == ["two", "three"])
    }
}
