import Crypto
import Foundation

/// Datasets of a workspace: create, list, delete, upload versions (streamed and encrypted) and
/// read them back (authenticated chunk by chunk). Files live in `<data>/datasets/<id>/<blob>.blob`.
public struct DatasetService: Sendable {
    let store: any PlatformStore
    /// The master keys wrapping every data key.
    public let keyring: MasterKeyring
    let folder: URL
    /// Largest upload accepted, in bytes.
    public let maxUploadBytes: Int

    /// Where uploads in progress are written (emptied when the platform opens).
    public var uploadsFolder: URL { folder.appendingPathComponent("uploads") }

    /// Creates the service over `store`, with files under `folder`.
    public init(store: any PlatformStore, keyring: MasterKeyring, folder: URL, maxUploadBytes: Int) {
        self.store = store
        self.keyring = keyring
        self.folder = folder
        self.maxUploadBytes = maxUploadBytes
    }

    /// Creates an empty dataset named `name` in `workspaceID` with a fresh data key.
    /// - Throws: ``PlatformError`` (`badRequest`) for a bad name, (`conflict`) when it exists.
    public func create(name: String, workspaceID: String) async throws -> Dataset {
        try PlatformID.checkName(name, kind: "dataset")
        let id = PlatformID.make("ds")
        let wrapped = try keyring.wrap(SymmetricKey(size: .bits256), ownerID: id)
        let dataset = Dataset(id: id, workspaceID: workspaceID, name: name, created: Date(), wrappedKey: wrapped.wrapped,
                              masterKeyID: wrapped.masterKeyID)
        try await store.insertDataset(dataset)
        return dataset
    }

    /// The datasets of a workspace.
    public func list(workspaceID: String) async throws -> [Dataset] { try await store.datasets(workspaceID: workspaceID) }

    /// Dataset `id` of `workspaceID`.
    /// - Throws: ``PlatformError`` (`notFound`) when the workspace has no such dataset.
    public func get(id: String, workspaceID: String) async throws -> Dataset {
        guard PlatformID.isValid(id, prefix: "ds"), let dataset = try await store.dataset(id: id, workspaceID: workspaceID) else {
            throw PlatformError(.notFound, "no dataset \(id) in this workspace; list them with GET /api/v1/datasets")
        }
        return dataset
    }

    /// The versions of dataset `id`.
    public func versions(id: String, workspaceID: String) async throws -> [DatasetVersion] {
        try await store.versions(datasetID: get(id: id, workspaceID: workspaceID).id)
    }

    /// Deletes dataset `id`, its versions and their files.
    public func delete(id: String, workspaceID: String) async throws {
        let dataset = try await get(id: id, workspaceID: workspaceID)
        try await store.deleteDataset(id: dataset.id)
        try? FileManager.default.removeItem(at: datasetFolder(dataset.id))
    }

    /// Starts uploading a new version of dataset `id`.
    public func beginUpload(id: String, workspaceID: String) async throws -> DatasetUpload {
        let dataset = try await get(id: id, workspaceID: workspaceID)
        let key = try keyring.unwrap(id: dataset.id, wrapped: dataset.wrappedKey, masterKeyID: dataset.masterKeyID)
        let blobID = PlatformID.make("blob")
        try FileManager.default.createDirectory(at: uploadsFolder, withIntermediateDirectories: true)
        let temporary = uploadsFolder.appendingPathComponent("\(blobID).part")
        let writer = try EncryptedBlobWriter(url: temporary, key: key, blobID: blobID)
        return DatasetUpload(dataset: dataset, blobID: blobID, temporary: temporary,
                             destination: datasetFolder(dataset.id).appendingPathComponent("\(blobID).blob"),
                             writer: writer, limit: maxUploadBytes, store: store)
    }

    /// Version `number` of dataset `id`, checked whole before anything is returned: every chunk
    /// authenticates and the plaintext's SHA-256 matches the recorded one.
    /// - Returns: the version and its plaintext, positioned at the first chunk.
    /// - Throws: ``PlatformError`` (`notFound`) or (`integrity`) when the file was tampered with.
    public func open(id: String, version number: Int, workspaceID: String) async throws -> (DatasetVersion, DecryptedStream) {
        let dataset = try await get(id: id, workspaceID: workspaceID)
        guard let version = try await store.versions(datasetID: dataset.id).first(where: { $0.number == number }) else {
            throw PlatformError(.notFound, "dataset \(id) has no version \(number); list them with GET /api/v1/datasets/\(id)")
        }
        let url = datasetFolder(dataset.id).appendingPathComponent("\(version.blobID).blob")
        let stream = try DecryptedStream.verified(url: url, key: try keyring.unwrap(id: dataset.id, wrapped: dataset.wrappedKey, masterKeyID: dataset.masterKeyID),
                                                  blobID: version.blobID, sha256: version.sha256, what: "dataset \(id) version \(number)")
        return (version, stream)
    }

    /// Removes uploads an earlier process left unfinished.
    func removeUnfinishedUploads() {
        try? FileManager.default.removeItem(at: uploadsFolder)
    }

    /// The folder holding dataset `id`'s encrypted versions (`<blob id>.blob`).
    public func datasetFolder(_ id: String) -> URL { folder.appendingPathComponent("datasets").appendingPathComponent(id) }
}
