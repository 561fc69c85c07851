import Crypto
import Foundation

/// The model registry of a workspace: a finished job's model folder becomes a new version of a
/// named model (with its lineage); versions are addressed by number or alias; files are encrypted
/// at rest (`<data>/models/<id>/<blob>.blob`) and verified whole before they are read.
public struct ModelRegistry: Sendable {
    let store: any PlatformStore
    let keyring: MasterKeyring
    let folder: URL

    /// Where files being registered are written first (emptied with the uploads at start).
    var stagingFolder: URL { folder.appendingPathComponent("uploads") }

    /// Creates the registry over `store`, with files under `folder` (the data folder).
    public init(store: any PlatformStore, keyring: MasterKeyring, folder: URL) {
        self.store = store
        self.keyring = keyring
        self.folder = folder
    }

    /// Registers the regular files of `modelFolder` as the next version of model `name` (created
    /// when new). Files are encrypted into the staging folder and moved in before the version row
    /// is written, so an interrupted registration leaves no visible version.
    public func register(modelFolder: URL, name: String, workspaceID: String, lineage: ModelLineage) async throws -> (RegisteredModel, ModelVersion) {
        let names = try FileManager.default.contentsOfDirectory(atPath: modelFolder.path).sorted().filter {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: modelFolder.appendingPathComponent($0).path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
        guard names.contains("model.json") else {
            throw PlatformError(.badRequest, "\(modelFolder.path) is not a Lepton model folder (no model.json)")
        }
        let model = try await findOrCreate(name: name, workspaceID: workspaceID)
        var handles: [FileHandle] = []
        defer { for handle in handles { try? handle.close() } }
        var sources: [(String, () throws -> Data?)] = []
        for name in names {
            let handle = try FileHandle(forReadingFrom: modelFolder.appendingPathComponent(name))
            handles.append(handle)
            sources.append((name, { try handle.read(upToCount: EncryptedBlob.chunkSize).flatMap { $0.isEmpty ? nil : $0 } }))
        }
        return (model, try await commitVersion(of: model, sources: sources, lineage: lineage))
    }

    /// Copies `version` (of a model of `sourceWorkspaceID`) as the next version of model `name` of
    /// `workspaceID`: each file is verified, decrypted chunk by chunk in memory and encrypted under
    /// the destination model's key.
    func copy(_ version: ModelVersion, from sourceWorkspaceID: String, into name: String, workspaceID: String,
              lineage: ModelLineage, card: String) async throws -> (RegisteredModel, ModelVersion) {
        guard let source = try await store.model(id: version.modelID, workspaceID: sourceWorkspaceID) else {
            throw PlatformError(.notFound, "the listed model \(version.modelID) is gone")
        }
        let key = try keyring.unwrap(id: source.id, wrapped: source.wrappedKey, masterKeyID: source.masterKeyID)
        let sources: [(String, () throws -> Data?)] = try version.files.map { file in
            let stream = try DecryptedStream.verified(url: blobFolder(source.id).appendingPathComponent("\(file.blobID).blob"), key: key,
                                                      blobID: file.blobID, sha256: file.sha256, what: "model \(source.name) version \(version.number) \(file.name)")
            return (file.name, { try stream.next() })
        }
        var model = try await findOrCreate(name: name, workspaceID: workspaceID)
        if model.card.isEmpty && !card.isEmpty {
            model.card = card
            try await store.updateModel(model)
        }
        return (model, try await commitVersion(of: model, sources: sources, lineage: lineage))
    }

    /// Encrypts each source (name, next chunk) into the staging folder, moves the blobs into the
    /// model's folder, then records the version: an interruption before the record leaves no
    /// visible version.
    private func commitVersion(of model: RegisteredModel, sources: [(String, () throws -> Data?)], lineage: ModelLineage) async throws -> ModelVersion {
        let key = try keyring.unwrap(id: model.id, wrapped: model.wrappedKey, masterKeyID: model.masterKeyID)
        var staged = StagedFiles()
        defer { staged.discard() }
        for (name, next) in sources {
            let file = try stageFile(name, key: key)
            staged.files.append(file)
            while let chunk = try next() { try chunk.withUnsafeBytes { try file.writer.append($0) } }
            try file.finish()
        }
        return try await publish(&staged, of: model, lineage: lineage)
    }

    /// A new encrypted blob in the staging folder for file `name`.
    func stageFile(_ name: String, key: SymmetricKey) throws -> StagedFile {
        try FileManager.default.createDirectory(at: stagingFolder, withIntermediateDirectories: true)
        let blobID = PlatformID.make("blob")
        let url = stagingFolder.appendingPathComponent("\(blobID).part")
        return StagedFile(name: name, blobID: blobID, url: url, writer: try EncryptedBlobWriter(url: url, key: key, blobID: blobID))
    }

    /// Moves finished staged blobs into the model's folder and records them as its next version.
    func publish(_ staged: inout StagedFiles, of model: RegisteredModel, lineage: ModelLineage) async throws -> ModelVersion {
        let destination = blobFolder(model.id)
        try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        let files = try staged.files.map { try $0.modelFile() }
        for (staged, file) in zip(staged.files, files) {
            try FileManager.default.moveItem(at: staged.url, to: destination.appendingPathComponent("\(file.blobID).blob"))
        }
        staged.files = []
        return try await store.insertModelVersion(modelID: model.id, lineage: lineage, files: files, created: Date())
    }

    /// The models of a workspace.
    public func list(workspaceID: String) async throws -> [RegisteredModel] { try await store.models(workspaceID: workspaceID) }

    /// Model `id` (or name) of `workspaceID`.
    /// - Throws: ``PlatformError`` (`notFound`).
    public func get(_ idOrName: String, workspaceID: String) async throws -> RegisteredModel {
        let found = PlatformID.isValid(idOrName, prefix: "mdl") ? try await store.model(id: idOrName, workspaceID: workspaceID)
            : try await store.model(named: idOrName, workspaceID: workspaceID)
        guard let model = found else {
            throw PlatformError(.notFound, "no model \(idOrName) in this workspace; list them with GET /api/v1/models")
        }
        return model
    }

    /// The versions of a model.
    public func versions(_ idOrName: String, workspaceID: String) async throws -> [ModelVersion] {
        try await store.modelVersions(modelID: get(idOrName, workspaceID: workspaceID).id)
    }

    /// Points `alias` (letters, digits, '-', '_') at `version`.
    public func setAlias(_ alias: String, version: Int, model idOrName: String, workspaceID: String) async throws -> RegisteredModel {
        var model = try await get(idOrName, workspaceID: workspaceID)
        guard !alias.isEmpty, alias.count <= 64, alias.allSatisfy({ $0.isLetter || $0.isNumber || "-_".contains($0) }), Int(alias) == nil else {
            throw PlatformError(.badRequest, "alias \"\(alias)\" is invalid; expected 1 to 64 letters, digits, '-' or '_', not a number")
        }
        guard try await store.modelVersions(modelID: model.id).contains(where: { $0.number == version }) else {
            throw PlatformError(.badRequest, "model \(model.name) has no version \(version)")
        }
        model.aliases[alias] = version
        try await store.updateModel(model)
        return model
    }

    /// Replaces the model card (Markdown, at most 256 KiB).
    public func setCard(_ card: String, model idOrName: String, workspaceID: String) async throws -> RegisteredModel {
        var model = try await get(idOrName, workspaceID: workspaceID)
        guard card.utf8.count <= 256 << 10 else { throw PlatformError(.tooLarge, "a model card may have at most 256 KiB") }
        model.card = card
        try await store.updateModel(model)
        return model
    }

    /// File `name` of version `reference` (a number or an alias), verified whole.
    public func openFile(_ name: String, version reference: String, model idOrName: String,
                         workspaceID: String) async throws -> (ModelFile, DecryptedStream) {
        let (model, version) = try await resolve(reference, model: idOrName, workspaceID: workspaceID)
        let number = version.number
        guard let file = version.files.first(where: { $0.name == name }) else {
            throw PlatformError(.notFound, "model \(model.name) version \(number) has no file \(name); it has \(version.files.map(\.name).joined(separator: ", "))")
        }
        let key = try keyring.unwrap(id: model.id, wrapped: model.wrappedKey, masterKeyID: model.masterKeyID)
        let stream = try DecryptedStream.verified(url: blobFolder(model.id).appendingPathComponent("\(file.blobID).blob"), key: key,
                                                  blobID: file.blobID, sha256: file.sha256, what: "model \(model.name) version \(number) \(name)")
        return (file, stream)
    }

    private func findOrCreate(name: String, workspaceID: String) async throws -> RegisteredModel {
        let (model, isNew) = try await findOrPrepare(name: name, workspaceID: workspaceID)
        if isNew { try await store.insertModel(model) }
        return model
    }

    /// Model `name` (or id) of the workspace, or a new one (with its own key) not yet stored.
    /// - Throws: ``PlatformError`` (`notFound`) for an id the workspace does not have.
    func findOrPrepare(name: String, workspaceID: String) async throws -> (RegisteredModel, isNew: Bool) {
        if PlatformID.isValid(name, prefix: "mdl") { return (try await get(name, workspaceID: workspaceID), false) }
        if let model = try await store.model(named: name, workspaceID: workspaceID) { return (model, false) }
        try PlatformID.checkName(name, kind: "model")
        let id = PlatformID.make("mdl")
        let wrapped = try keyring.wrap(SymmetricKey(size: .bits256), ownerID: id)
        return (RegisteredModel(id: id, workspaceID: workspaceID, name: name, created: Date(), card: "", aliases: [:],
                                wrappedKey: wrapped.wrapped, masterKeyID: wrapped.masterKeyID), true)
    }

    func blobFolder(_ id: String) -> URL { folder.appendingPathComponent("models").appendingPathComponent(id) }
}
