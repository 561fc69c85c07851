import Foundation
import LeptonPlatform
import Testing

@Suite("Marketplace")
struct MarketplaceTests {
    @Test("publish in one workspace, search and pull from another: same bytes, re-encrypted, lineage names the listing")
    func publishSearchPull() async throws {
        let (platform, admin) = try await PlatformFixtures.platform("market")
        let publisher = admin.key.workspaceID
        let other = try await platform.createWorkspace(name: "other", source: "test").key.workspaceID
        let weights = PlatformFixtures.bytes(300_000, seed: 5)
        let (model, _) = try await platform.models.register(modelFolder: try ModelRegistryTests.modelFolder(weights), name: "mnist-cnn",
                                                            workspaceID: publisher, lineage: ModelLineage(jobID: "job_x", inputs: [], configSHA256: "cc"))
        _ = try await platform.models.setAlias("champion", version: 1, model: model.id, workspaceID: publisher)
        _ = try await platform.models.setCard("# MNIST CNN", model: model.id, workspaceID: publisher)
        let listing = try await platform.market.publish(MarketPublication(model: "mnist-cnn", version: "champion", task: "image-classification",
                                                                          description: "Digits, 98.7 %", licence: "MIT", metrics: ["accuracy": 0.987]),
                                                        workspaceID: publisher)
        #expect(listing.version == 1 && listing.card == "# MNIST CNN")
        #expect(try await platform.market.search("digits").map(\.id) == [listing.id])
        #expect(try await platform.market.search("", task: "image-classification").count == 1)
        #expect(try await platform.market.search("speech").isEmpty)

        let (pulled, version) = try await platform.market.pull(listing.id, as: nil, workspaceID: other)
        #expect(pulled.workspaceID == other && pulled.id != model.id && pulled.name == "mnist-cnn" && pulled.card == "# MNIST CNN")
        #expect(version.lineage.listingID == listing.id && version.lineage.jobID == "job_x")
        let (_, stream) = try await platform.models.openFile("model.safetensors", version: "1", model: pulled.id, workspaceID: other)
        #expect(try ModelRegistryTests.read(stream) == weights)
        let original = try await platform.models.versions(model.id, workspaceID: publisher)[0]
        #expect(version.files.map(\.sha256) == original.files.map(\.sha256) && version.files.map(\.blobID) != original.files.map(\.blobID))
    }

    @Test("publishing needs a version the workspace has and a task and licence")
    func refusals() async throws {
        let (platform, admin) = try await PlatformFixtures.platform("market-bad")
        let workspace = admin.key.workspaceID
        _ = try await platform.models.register(modelFolder: try ModelRegistryTests.modelFolder([1]), name: "m", workspaceID: workspace,
                                               lineage: ModelLineage(jobID: nil, inputs: [], configSHA256: nil))
        await #expect(throws: PlatformError.self) {
            try await platform.market.publish(MarketPublication(model: "m", version: "2", task: "t", licence: "MIT"), workspaceID: workspace)
        }
        await #expect(throws: PlatformError.self) {
            try await platform.market.publish(MarketPublication(model: "m", version: "1", task: "", licence: "MIT"), workspaceID: workspace)
        }
        let other = try await platform.createWorkspace(name: "other", source: "test").key.workspaceID
        await #expect(throws: PlatformError.self) {
            try await platform.market.publish(MarketPublication(model: "m", version: "1", task: "t", licence: "MIT"), workspaceID: other)
        }
        await #expect(throws: PlatformError.self) { _ = try await platform.market.pull("lst_000000000000000000000000", as: nil, workspaceID: other) }
    }
}
