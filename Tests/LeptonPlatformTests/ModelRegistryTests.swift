import Foundation
import LeptonPlatform
import Testing

@Suite("ModelRegistry")
struct ModelRegistryTests {
    /// A folder with a model.json and `weights` as the weights file.
    static func modelFolder(_ weights: [UInt8]) throws -> URL {
        let folder = PlatformFixtures.folder("model")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(#"{"layers": []}"#.utf8).write(to: folder.appendingPathComponent("model.json"))
        try Data(weights).write(to: folder.appendingPathComponent("model.safetensors"))
        return folder
    }

    static func read(_ stream: DecryptedStream) throws -> [UInt8] {
        var bytes: [UInt8] = []
        while let chunk = try stream.next() { bytes += chunk }
        return bytes
    }

    @Test("versions, lineage, aliases, card and encrypted files that read back exactly")
    func registerAndRead() async throws {
        let (platform, admin) = try await PlatformFixtures.platform("registry")
        let workspace = admin.key.workspaceID
        let first = PlatformFixtures.bytes(1_500_000, seed: 11), second = PlatformFixtures.bytes(1000, seed: 12)
        let lineage = ModelLineage(jobID: "job_1", inputs: [JobInput(file: "mnist/x", dataset: "ds_1", version: 2)], configSHA256: "ab")
        let (model, v1) = try await platform.models.register(modelFolder: try Self.modelFolder(first), name: "mnist-cnn", workspaceID: workspace, lineage: lineage)
        let (same, v2) = try await platform.models.register(modelFolder: try Self.modelFolder(second), name: "mnist-cnn", workspaceID: workspace, lineage: lineage)
        #expect(same.id == model.id && v1.number == 1 && v2.number == 2)
        #expect(v1.files.map(\.name) == ["model.json", "model.safetensors"] && v1.lineage == lineage)
        _ = try await platform.models.setAlias("champion", version: 1, model: "mnist-cnn", workspaceID: workspace)
        let carded = try await platform.models.setCard("# MNIST CNN\n98.7 %", model: model.id, workspaceID: workspace)
        #expect(carded.aliases == ["champion": 1] && carded.card.hasPrefix("# MNIST"))
        let (_, champion) = try await platform.models.openFile("model.safetensors", version: "champion", model: "mnist-cnn", workspaceID: workspace)
        #expect(try Self.read(champion) == first)
        let (_, latest) = try await platform.models.openFile("model.safetensors", version: "2", model: model.id, workspaceID: workspace)
        #expect(try Self.read(latest) == second)
        // Encrypted at rest: no window of the weights is in any file of the data folder.
        let contents = try PlatformFixtures.files(under: platform.dataFolder).map { try Data(contentsOf: $0) }
        for offset in stride(from: 0, to: first.count - 16, by: 65_536) {
            #expect(!contents.contains { $0.range(of: Data(first[offset..<(offset + 16)])) != nil })
        }
        // Key rotation covers model keys too.
        let (_, rewrapped) = try await platform.rotateMasterKey()
        #expect(rewrapped == 1)
        let (_, after) = try await platform.models.openFile("model.safetensors", version: "champion", model: "mnist-cnn", workspaceID: workspace)
        #expect(try Self.read(after) == first)
    }

    @Test("bad aliases, missing versions, files and other workspaces are refused")
    func refusals() async throws {
        let (platform, admin) = try await PlatformFixtures.platform("registry-bad")
        let workspace = admin.key.workspaceID
        let (model, _) = try await platform.models.register(modelFolder: try Self.modelFolder([1]), name: "m", workspaceID: workspace,
                                                            lineage: ModelLineage(jobID: nil, inputs: [], configSHA256: nil))
        await #expect(throws: PlatformError.self) { try await platform.models.setAlias("7", version: 1, model: "m", workspaceID: workspace) }
        await #expect(throws: PlatformError.self) { try await platform.models.setAlias("prod", version: 9, model: "m", workspaceID: workspace) }
        await #expect(throws: PlatformError.self) { _ = try await platform.models.openFile("x.bin", version: "1", model: "m", workspaceID: workspace) }
        await #expect(throws: PlatformError.self) { _ = try await platform.models.openFile("model.json", version: "prod", model: "m", workspaceID: workspace) }
        let other = try await platform.createWorkspace(name: "other", source: "test")
        let hidden = await #expect(throws: PlatformError.self) { try await platform.models.get(model.id, workspaceID: other.key.workspaceID) }
        #expect(hidden?.kind == .notFound)
        let notAModel = PlatformFixtures.folder("empty")
        try FileManager.default.createDirectory(at: notAModel, withIntermediateDirectories: true)
        await #expect(throws: PlatformError.self) {
            _ = try await platform.models.register(modelFolder: notAModel, name: "m", workspaceID: workspace, lineage: ModelLineage(jobID: nil, inputs: [], configSHA256: nil))
        }
        #expect(try await platform.models.versions("m", workspaceID: workspace).count == 1)
    }
}
