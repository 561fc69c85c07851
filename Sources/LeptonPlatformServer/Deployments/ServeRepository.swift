import Foundation
import LeptonPlatform

/// The serve repositories of deployments: a model version decrypted (through the registry, each
/// file verified whole) into `<data>/deployments/repositories/<model id>-<version>/<model>/<version>/`,
/// the layout `lepton serve --repository` reads. Written once into a temporary folder and renamed,
/// so a replica never sees half a model; shared by every replica of that version.
struct ServeRepository: Sendable {
    /// `<data>/deployments/repositories`.
    let folder: URL

    /// The repository of `version` of `deployment`'s model, written first if needed.
    func materialise(_ deployment: Deployment, version: Int, service: DeploymentService) async throws -> URL {
        let repository = folder.appendingPathComponent("\(deployment.modelID)-\(version)")
        if FileManager.default.fileExists(atPath: repository.path) { return repository }
        let staging = folder.appendingPathComponent(".staging-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: staging) }
        let versionFolder = staging.appendingPathComponent(deployment.modelName).appendingPathComponent(String(version))
        try FileManager.default.createDirectory(at: versionFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for (file, open) in try await service.files(of: deployment, version: version) {
            guard !file.name.contains("/"), file.name != "..", file.name != "." else { continue }
            let stream = try await open()
            let url = versionFolder.appendingPathComponent(file.name)
            guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw PlatformError(.internalError, "cannot write \(url.path)")
            }
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            while let chunk = try stream.next() { try handle.write(contentsOf: chunk) }
        }
        do { try FileManager.default.moveItem(at: staging, to: repository) } catch {
            // Another replica of the same version finished first: its copy is as good.
            guard FileManager.default.fileExists(atPath: repository.path) else { throw error }
        }
        return repository
    }
}
