import Foundation

/// Where the platform keeps its state: workspaces, keys, the audit log and dataset metadata.
/// One protocol, so the embedded SQLite store and a server-grade database are interchangeable;
/// every implementation passes the same store test-suite. Implementations are append-only for
/// the audit log: they offer no way to change or delete a row.
public protocol PlatformStore: Sendable {
    /// Creates a workspace.
    /// - Throws: ``PlatformError`` (`conflict`) when the name is taken.
    func createWorkspace(name: String) async throws -> Workspace
    /// The workspace named `name`, if any.
    func workspace(named name: String) async throws -> Workspace?
    /// Every workspace, oldest first.
    func workspaces() async throws -> [Workspace]

    /// Stores a new key.
    func insertKey(_ key: APIKey) async throws
    /// The key with public id `id`, if any.
    func key(id: String) async throws -> APIKey?
    /// The keys of a workspace, oldest first.
    func keys(workspaceID: String) async throws -> [APIKey]
    /// Marks a key revoked at `time`.
    func revokeKey(id: String, at time: Date) async throws
    /// Records that a key authenticated a request at `time`.
    func touchKey(id: String, at time: Date) async throws

    /// Appends an entry to the audit log as the next link of its hash chain (atomically, so
    /// concurrent appends never fork the chain).
    func appendAudit(_ entry: AuditEntry) async throws -> AuditRecord
    /// Audit rows with sequence greater than `after`, in order, at most `limit`; only those of
    /// `workspaceID` when given.
    func auditRecords(workspaceID: String?, after: Int, limit: Int) async throws -> [AuditRecord]

    /// Stores a new dataset.
    /// - Throws: ``PlatformError`` (`conflict`) when its workspace has a dataset of that name.
    func insertDataset(_ dataset: Dataset) async throws
    /// The dataset `id` of `workspaceID`, if any.
    func dataset(id: String, workspaceID: String) async throws -> Dataset?
    /// The datasets of a workspace, oldest first.
    func datasets(workspaceID: String) async throws -> [Dataset]
    /// Every dataset of every workspace (for key rotation).
    func allDatasets() async throws -> [Dataset]
    /// Deletes a dataset and its version records.
    func deleteDataset(id: String) async throws
    /// Commits a version as the dataset's next number; returns it with its number.
    func insertVersion(datasetID: String, blobID: String, size: Int, sha256: String, preview: DatasetPreview,
                       created: Date) async throws -> DatasetVersion
    /// The versions of a dataset, in order.
    func versions(datasetID: String) async throws -> [DatasetVersion]
    /// Replaces the wrapped data keys of datasets and models in one transaction (key rotation).
    func rewrapKeys(_ updates: [WrappedKeyUpdate]) async throws

    /// Stores a new job.
    func insertJob(_ job: Job) async throws
    /// Replaces a job's record only while its stored state is `expected` (compare-and-set, so a
    /// cancel and a scheduler update never overwrite each other).
    /// - Returns: whether the record was replaced.
    func updateJob(_ job: Job, expecting expected: JobState) async throws -> Bool
    /// Job `id`, if any (only when it belongs to `workspaceID`, when given).
    func job(id: String, workspaceID: String?) async throws -> Job?
    /// The jobs of a workspace, newest first, at most `limit`.
    func jobs(workspaceID: String, limit: Int) async throws -> [Job]
    /// Every job in one of `states`, highest priority first, then oldest.
    func jobs(in states: [JobState]) async throws -> [Job]

    /// Stores a new model.
    /// - Throws: ``PlatformError`` (`conflict`) when its workspace has a model of that name.
    func insertModel(_ model: RegisteredModel) async throws
    /// Replaces a model's card and aliases.
    func updateModel(_ model: RegisteredModel) async throws
    /// Model `id` of `workspaceID`, if any.
    func model(id: String, workspaceID: String) async throws -> RegisteredModel?
    /// The model named `name` in `workspaceID`, if any.
    func model(named name: String, workspaceID: String) async throws -> RegisteredModel?
    /// The models of a workspace (all workspaces when nil), oldest first.
    func models(workspaceID: String?) async throws -> [RegisteredModel]
    /// Commits a version as the model's next number; returns it with its number.
    func insertModelVersion(modelID: String, lineage: ModelLineage, files: [ModelFile], created: Date) async throws -> ModelVersion
    /// The versions of a model, in order.
    func modelVersions(modelID: String) async throws -> [ModelVersion]

    /// Stores a marketplace listing.
    func insertListing(_ listing: MarketListing) async throws
    /// Listing `id`, if any.
    func listing(id: String) async throws -> MarketListing?
    /// Every listing, newest first.
    func listings() async throws -> [MarketListing]
}

/// A data key re-wrapped by a new master key.
public struct WrappedKeyUpdate: Sendable {
    /// Whose key it is.
    public enum Owner: Sendable { case dataset, model }
    /// A dataset's or a model's.
    public let owner: Owner
    /// The dataset or model id.
    public let id: String
    /// The newly wrapped key, base64.
    public let wrappedKey: String
    /// The master key that wraps it.
    public let masterKeyID: String

    /// Creates an update.
    public init(owner: Owner, id: String, wrappedKey: String, masterKeyID: String) {
        self.owner = owner
        self.id = id
        self.wrappedKey = wrappedKey
        self.masterKeyID = masterKeyID
    }
}
