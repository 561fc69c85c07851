import Foundation
import LeptonCompress
import LeptonONNX

extension ModelRegistry {
    /// The version `reference` (a number or an alias) of a model, with the model.
    /// - Throws: ``PlatformError`` `.notFound` for an unknown model, version or alias.
    func resolve(_ reference: String, model idOrName: String, workspaceID: String) async throws -> (RegisteredModel, ModelVersion) {
        let model = try await get(idOrName, workspaceID: workspaceID)
        guard let number = Int(reference) ?? model.aliases[reference] else {
            throw PlatformError(.notFound, "model \(model.name) has no version or alias \(reference)")
        }
        guard let version = try await store.modelVersions(modelID: model.id).first(where: { $0.number == number }) else {
            throw PlatformError(.notFound, "model \(model.name) has no version \(number)")
        }
        return (model, version)
    }

    /// Decrypts every file of version `reference` into `folder` (which must exist), each verified
    /// whole before it is used — a Lepton model folder.
    /// - Returns: the version.
    /// - Throws: ``PlatformError`` for an unknown version, a file that fails verification, or one
    ///   that cannot be written.
    @discardableResult
    public func writeVersion(_ reference: String, model idOrName: String, workspaceID: String, into folder: URL) async throws -> ModelVersion {
        let (model, version) = try await resolve(reference, model: idOrName, workspaceID: workspaceID)
        for file in version.files where !file.name.contains("/") && file.name != ".." && file.name != "." {
            let (_, stream) = try await openFile(file.name, version: String(version.number), model: model.id, workspaceID: workspaceID)
            let url = folder.appendingPathComponent(file.name)
            guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw PlatformError(.internalError, "cannot write \(url.path)")
            }
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            while let chunk = try stream.next() { try handle.write(contentsOf: chunk) }
        }
        return version
    }

    /// Version `reference` of a model as an ONNX file (what `lepton export` writes from the same
    /// folder), made in a private folder under the data folder that is removed afterwards.
    /// - Throws: ``PlatformError`` as ``writeVersion(_:model:workspaceID:into:)``, and `.badRequest`
    ///   naming the reason when the model cannot be expressed in ONNX.
    public func onnx(version reference: String, model idOrName: String, workspaceID: String) async throws -> Data {
        let work = stagingFolder.appendingPathComponent("onnx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: work) }
        let version = try await writeVersion(reference, model: idOrName, workspaceID: workspaceID, into: work)
        do {
            return try ModelFolderExport.onnx(folder: work).proto.serializedData()
        } catch {
            throw PlatformError(.badRequest, "version \(version.number) cannot be exported to ONNX: \(error)")
        }
    }
}
