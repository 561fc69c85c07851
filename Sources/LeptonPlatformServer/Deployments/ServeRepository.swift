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
        try await service.writeModel(of: deployment, version: version, into: versionFolder)
        do { try FileManager.default.moveItem(at: staging, to: repository) } catch {
            // Another replica of the same version finished first: its copy is as good.
            guard FileManager.default.fileExists(atPath: repository.path) else { throw error }
        }
        return repository
    }
}
