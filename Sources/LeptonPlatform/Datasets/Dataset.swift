import Foundation

/// A named dataset of a workspace; its content lives in numbered versions, each encrypted at
/// rest under the dataset's own data key, which is stored only wrapped by a master key.
public struct Dataset: Codable, Sendable, Equatable {
    /// Its id (`ds_…`).
    public let id: String
    /// The owning workspace.
    public let workspaceID: String
    /// Its name, unique in the workspace.
    public let name: String
    /// When it was created.
    public let created: Date
    /// The data key wrapped (AES-256-GCM) by master key ``masterKeyID``, base64; never sent to clients.
    public var wrappedKey: String
    /// Which master key wraps ``wrappedKey``.
    public var masterKeyID: String

    /// Creates a dataset record.
    public init(id: String, workspaceID: String, name: String, created: Date, wrappedKey: String, masterKeyID: String) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.created = created
        self.wrappedKey = wrappedKey
        self.masterKeyID = masterKeyID
    }

    /// The dataset as a client may see it (no key material), with its versions when given.
    public func summary(versions: [DatasetVersion]? = nil) -> Summary {
        Summary(id: id, workspace: workspaceID, name: name, created: created, versions: versions)
    }

    /// What the datasets API returns for a dataset.
    public struct Summary: Codable, Sendable, Equatable {
        public let id: String
        public let workspace: String
        public let name: String
        public let created: Date
        public let versions: [DatasetVersion]?
    }
}

/// One committed version of a dataset: an immutable encrypted file with its plaintext size,
/// SHA-256 and recognised format.
public struct DatasetVersion: Codable, Sendable, Equatable {
    /// The dataset.
    public let datasetID: String
    /// 1, 2, … in upload order.
    public let number: Int
    /// The encrypted file's name in the dataset's folder (also bound into every chunk's
    /// authentication, so files cannot be swapped).
    public let blobID: String
    /// Plaintext size in bytes.
    public let size: Int
    /// SHA-256 of the plaintext, hex.
    public let sha256: String
    /// What the content was recognised as, with a preview.
    public let preview: DatasetPreview
    /// When it was committed.
    public let created: Date

    /// Creates a version record.
    public init(datasetID: String, number: Int, blobID: String, size: Int, sha256: String, preview: DatasetPreview, created: Date) {
        self.datasetID = datasetID
        self.number = number
        self.blobID = blobID
        self.size = size
        self.sha256 = sha256
        self.preview = preview
        self.created = created
    }
}
