import Foundation

/// `lepton platform seed-market`: the examples' trained models (MNIST CNN, sentiment LSTM,
/// MovieLens matrix factorisation, faces CNN) registered in the `default` workspace and published
/// as marketplace listings, so a new platform's market is not empty. Each example is looked for
/// where `lepton train examples/<name>.yaml` writes it (`<models>/<name>`); an example not trained
/// is skipped with the command that trains it, and one already listed is not listed twice.
public enum MarketSeed {
    /// One of the examples a seeded market lists.
    public struct Example: Sendable, Equatable {
        /// The folder `lepton train` writes (`out/<folder>`) and the model's name in the registry.
        public let name: String
        /// The listing's task.
        public let task: String
        /// The listing's description.
        public let description: String
    }

    /// The examples, in the order they are listed.
    public static let examples = [
        Example(name: "mnist-cnn", task: "image-classification",
                description: "Handwritten digits 0-9 from 28x28 grey images (MNIST); a small CNN that standardises its own input (pixels 0-255). Trained by examples/mnist-cnn.yaml."),
        Example(name: "sentiment-lstm", task: "text-classification",
                description: "Positive or negative sentiment of an English sentence; embedding + LSTM over a 10,000-word vocabulary. Trained by examples/sentiment-lstm.yaml."),
        Example(name: "movielens-mf", task: "recommendation",
                description: "Ratings of MovieLens 100k users for films they have not rated; matrix factorisation with biases. Trained by examples/movielens-mf.yaml."),
        Example(name: "faces-cnn", task: "image-classification",
                description: "Face or not a face in a small grey image; the detector stage for face recognition. Trained by examples/faces-cnn.yaml."),
    ]

    /// What happened to one example.
    public enum Outcome: Sendable, Equatable {
        /// Registered and published as this listing.
        case listed(MarketListing)
        /// A listing of this name from the workspace exists already.
        case alreadyListed(String)
        /// No trained model at this folder.
        case notTrained(URL)
    }

    /// The licence of the seeded listings (the project's).
    public static let licence = "MIT"

    /// Registers and publishes every trained example found under `modelsFolder` in the
    /// `default` workspace, auditing each listing as the offline command `source`.
    /// - Returns: each example with what happened to it.
    /// - Throws: ``PlatformError`` when there is no `default` workspace, or when no example has
    ///   been trained (saying how to train them).
    public static func seed(_ platform: Platform, modelsFolder: URL, source: String) async throws -> [(Example, Outcome)] {
        guard let workspace = try await platform.store.workspace(named: Platform.defaultWorkspace) else {
            throw PlatformError(.notFound, "no workspace \"\(Platform.defaultWorkspace)\"; the market is seeded into it (`lepton platform init` creates it)")
        }
        let trained = examples.filter {
            FileManager.default.fileExists(atPath: modelsFolder.appendingPathComponent($0.name).appendingPathComponent("model.json").path)
        }
        guard !trained.isEmpty else {
            let commands = examples.map { "lepton train examples/\($0.name).yaml" }.joined(separator: ", ")
            throw PlatformError(.badRequest, "no trained example under \(modelsFolder.path) (expected <folder>/mnist-cnn/model.json and the like); train them first: \(commands)")
        }
        let listed = Set(try await platform.market.search().filter { $0.workspaceID == workspace.id }.map(\.name))
        var outcomes: [(Example, Outcome)] = []
        for example in examples {
            let folder = modelsFolder.appendingPathComponent(example.name)
            guard trained.contains(example) else {
                outcomes.append((example, .notTrained(folder)))
                continue
            }
            if listed.contains(example.name) {
                outcomes.append((example, .alreadyListed(example.name)))
                continue
            }
            let (model, version) = try await platform.models.register(modelFolder: folder, name: example.name, workspaceID: workspace.id,
                                                                      lineage: ModelLineage(jobID: nil, inputs: [], configSHA256: nil))
            let listing = try await platform.market.publish(
                MarketPublication(model: model.id, version: String(version.number), task: example.task, description: example.description,
                                  licence: licence),
                workspaceID: workspace.id)
            try await platform.audit.record(AuditEntry(workspaceID: workspace.id, keyID: nil, action: "market.publish",
                                                       resource: "market/\(listing.id)", result: "ok", requestID: "-", source: source))
            outcomes.append((example, .listed(listing)))
        }
        return outcomes
    }
}
