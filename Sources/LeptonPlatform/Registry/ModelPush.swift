import Crypto
import Foundation

/// One push of a model version in progress: the body is a tar archive of a Lepton model folder's
/// files, read as it arrives, each file encrypted into the staging folder. Only ``commit()``
/// records the version (and a new model), so an interrupted or refused push leaves nothing
/// visible.
///
/// ```swift
/// let push = try await platform.models.beginPush(name: "mnist", workspaceID: who.workspaceID)
/// for chunk in body { try push.append(chunk) }
/// let (model, version) = try await push.commit()
/// ```
public final class ModelPush: @unchecked Sendable {
    /// Most files in one model archive.
    public static let maxFiles = 64
    private let registry: ModelRegistry
    private let model: RegisteredModel
    private let isNew: Bool
    private let key: SymmetricKey
    private let limit: Int
    private var reader = TarReader(maxFiles: ModelPush.maxFiles)
    private var staged = StagedFiles()
    private var current: StagedFile?
    private var received = 0
    private var done = false

    init(registry: ModelRegistry, model: RegisteredModel, isNew: Bool, key: SymmetricKey, limit: Int) {
        self.registry = registry
        self.model = model
        self.isNew = isNew
        self.key = key
        self.limit = limit
    }

    deinit { if !done { abort() } }

    /// Takes the next bytes of the archive.
    /// - Throws: ``PlatformError`` for a malformed archive (`badRequest`) or one beyond the upload
    ///   limit (`tooLarge`); the push is then aborted.
    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard !done else { throw PlatformError(.conflict, "this push was already committed or aborted") }
        received += bytes.count
        guard received <= limit else {
            abort()
            throw PlatformError(.tooLarge, "the model archive exceeds the limit of \(limit) bytes (lepton platform serve --max-upload-bytes)")
        }
        do {
            try reader.consume(bytes) { event in
                switch event {
                case .beginFile(let name, _):
                    let file = try registry.stageFile(name, key: key)
                    staged.files.append(file)
                    current = file
                case .fileBytes(let chunk):
                    try current?.writer.append(chunk)
                case .endFile:
                    try current?.finish()
                    current = nil
                }
            }
        } catch {
            abort()
            throw error
        }
    }

    /// Checks the archive arrived whole and holds a model, then records it as the model's next version.
    /// - Throws: ``PlatformError`` (`badRequest`) for a truncated archive or one without `model.json`.
    public func commit() async throws -> (RegisteredModel, ModelVersion) {
        guard !done else { throw PlatformError(.conflict, "this push was already committed or aborted") }
        defer { abort() }
        try reader.finish()
        let names = staged.files.map(\.name)
        guard names.contains("model.json") else {
            throw PlatformError(.badRequest, "the archive holds no model.json (it holds \(names.isEmpty ? "no files" : names.joined(separator: ", "))); expected the files of a Lepton model folder, e.g. `tar -cf model.tar -C out/mnist-cnn .`")
        }
        if isNew { try await registry.store.insertModel(model) }
        let version = try await registry.publish(&staged, of: model, lineage: ModelLineage(jobID: nil, inputs: [], configSHA256: nil))
        return (model, version)
    }

    /// Drops the push and its staged files.
    public func abort() {
        guard !done else { return }
        done = true
        staged.discard()
    }
}

extension ModelRegistry {
    /// Starts a push of a new version of model `name` (created when new, at commit).
    /// - Parameter limit: the most bytes the archive may have.
    public func beginPush(name: String, workspaceID: String, limit: Int) async throws -> ModelPush {
        let (model, isNew) = try await findOrPrepare(name: name, workspaceID: workspaceID)
        let key = try keyring.unwrap(id: model.id, wrapped: model.wrappedKey, masterKeyID: model.masterKeyID)
        return ModelPush(registry: self, model: model, isNew: isNew, key: key, limit: limit)
    }
}
