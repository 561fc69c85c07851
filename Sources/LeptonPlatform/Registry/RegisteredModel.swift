import Foundation

/// A named model of a workspace's registry: numbered versions, aliases (such as `champion`)
/// pointing at versions, and a Markdown card. Its files are encrypted at rest under the model's
/// own data key, wrapped by the master key like a dataset's.
public struct RegisteredModel: Codable, Sendable, Equatable {
    /// Its id (`mdl_…`).
    public let id: String
    /// The owning workspace.
    public let workspaceID: String
    /// Its name, unique in the workspace.
    public let name: String
    /// When it was created.
    public let created: Date
    /// The model card, Markdown.
    public var card: String
    /// Alias → version number.
    public var aliases: [String: Int]
    /// The data key wrapped by master key ``masterKeyID``, base64; never sent to clients.
    public var wrappedKey: String
    /// Which master key wraps ``wrappedKey``.
    public var masterKeyID: String

    /// Creates a model record.
    public init(id: String, workspaceID: String, name: String, created: Date, card: String = "", aliases: [String: Int] = [:],
                wrappedKey: String, masterKeyID: String) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.created = created
        self.card = card
        self.aliases = aliases
        self.wrappedKey = wrappedKey
        self.masterKeyID = masterKeyID
    }

    /// The model as a client may see it (no key material), with its versions when given.
    public func summary(versions: [ModelVersion]? = nil) -> Summary {
        Summary(id: id, workspace: workspaceID, name: name, created: created, card: card, aliases: aliases, versions: versions)
    }

    /// What the models API returns for a model.
    public struct Summary: Codable, Sendable, Equatable {
        public let id: String
        public let workspace: String
        public let name: String
        public let created: Date
        public let card: String
        public let aliases: [String: Int]
        public let versions: [ModelVersion]?
    }
}

/// Where a model version came from: the job that trained it, the dataset versions it read and
/// the SHA-256 of its training config.
public struct ModelLineage: Codable, Sendable, Equatable {
    /// The training job (nil for a model pushed from a folder).
    public let jobID: String?
    /// The dataset versions the job read.
    public let inputs: [JobInput]
    /// SHA-256 of the training config, hex (nil when unknown).
    public let configSHA256: String?
    /// The marketplace listing it was pulled from (nil when trained or pushed here).
    public let listingID: String?

    /// Creates a lineage record.
    public init(jobID: String?, inputs: [JobInput], configSHA256: String?, listingID: String? = nil) {
        self.jobID = jobID
        self.inputs = inputs
        self.configSHA256 = configSHA256
        self.listingID = listingID
    }
}

/// One file of a model version, stored as an encrypted blob.
public struct ModelFile: Codable, Sendable, Equatable {
    /// The file's name in the Lepton model folder (`model.json`, `model.safetensors`).
    public let name: String
    /// Its blob in the model's folder.
    public let blobID: String
    /// Plaintext size in bytes.
    public let size: Int
    /// SHA-256 of the plaintext, hex.
    public let sha256: String
}

/// One immutable version of a registered model.
public struct ModelVersion: Codable, Sendable, Equatable {
    /// The model.
    public let modelID: String
    /// 1, 2, … in registration order.
    public let number: Int
    /// Where it came from.
    public let lineage: ModelLineage
    /// Its files.
    public let files: [ModelFile]
    /// When it was registered.
    public let created: Date
}
