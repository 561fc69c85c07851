import Foundation
import LeptonPlatform
import Testing

/// `seed-market`: trained examples listed once, the others skipped with the command that trains
/// them, nothing to seed refused.
@Suite("MarketSeed")
struct MarketSeedTests {
    /// A folder holding model folders named like the examples', each with a `model.json`.
    static func models(_ names: [String]) throws -> URL {
        let folder = PlatformFixtures.folder("seed-models")
        for name in names {
            let model = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
            try Data(#"{"format": "lepton", "name": "\#(name)"}"#.utf8).write(to: model.appendingPathComponent("model.json"))
            try Data([1, 2, 3, 4]).write(to: model.appendingPathComponent("model.safetensors"))
        }
        return folder
    }

    @Test("trained examples are registered and listed once; untrained ones are skipped")
    func seedsOnce() async throws {
        let (platform, _) = try await PlatformFixtures.platform("seed")
        let folder = try Self.models(["mnist-cnn", "movielens-mf"])
        let first = try await MarketSeed.seed(platform, modelsFolder: folder, source: "test")
        #expect(first.map(\.0.name) == ["mnist-cnn", "sentiment-lstm", "movielens-mf", "faces-cnn"])
        guard case .listed(let mnist) = first[0].1, case .listed(let movielens) = first[2].1 else {
            Issue.record("expected two listings: \(first.map(\.1))")
            return
        }
        #expect(mnist.task == "image-classification" && movielens.task == "recommendation" && mnist.licence == "MIT")
        #expect(first[1].1 == .notTrained(folder.appendingPathComponent("sentiment-lstm")))
        #expect(try await platform.market.search("digits").map(\.id) == [mnist.id])
        let workspace = try #require(try await platform.store.workspace(named: Platform.defaultWorkspace))
        let versions = try await platform.models.versions("mnist-cnn", workspaceID: workspace.id)
        #expect(versions.map(\.number) == [1])
        let audited = try await platform.audit.records(workspaceID: workspace.id, limit: 100).filter { $0.entry.action == "market.publish" }
        #expect(audited.map(\.entry.resource) == ["market/\(mnist.id)", "market/\(movielens.id)"])

        let again = try await MarketSeed.seed(platform, modelsFolder: folder, source: "test")
        #expect(again[0].1 == .alreadyListed("mnist-cnn") && again[2].1 == .alreadyListed("movielens-mf"))
        #expect(try await platform.market.search().count == 2, "nothing listed twice")
    }

    @Test("with no trained example the error says how to train them")
    func nothingToSeed() async throws {
        let (platform, _) = try await PlatformFixtures.platform("seed-none")
        let error = await #expect(throws: PlatformError.self) {
            try await MarketSeed.seed(platform, modelsFolder: try Self.models([]), source: "test")
        }
        #expect(error?.message.contains("lepton train examples/mnist-cnn.yaml") == true, "\(String(describing: error))")
    }
}
