import Foundation

/// A public listing of the marketplace: one model version published by a workspace, with what a
/// searcher needs to choose it (task, description, metrics, licence, card). Every workspace can
/// search listings and pull one into its own registry.
public struct MarketListing: Codable, Sendable, Equatable {
    /// Its id (`lst_…`).
    public let id: String
    /// The publishing workspace.
    public let workspaceID: String
    /// The published model.
    public let modelID: String
    /// The published version.
    public let version: Int
    /// The listing's name (the model's name unless given).
    public let name: String
    /// The task, such as `image-classification`.
    public let task: String
    /// A one-paragraph description.
    public let description: String
    /// The licence, such as `MIT`.
    public let licence: String
    /// Metrics as reported by the publisher, such as `accuracy: 0.987`.
    public let metrics: [String: Double]
    /// The model card, Markdown (the model's card when published).
    public let card: String
    /// When it was published.
    public let created: Date
}

/// What a publisher sends.
public struct MarketPublication: Codable, Sendable {
    /// The model (id or name) in the publisher's registry.
    public var model: String
    /// The version number or alias.
    public var version: String
    /// The listing's name (default: the model's name).
    public var name: String?
    /// The task.
    public var task: String
    /// A description.
    public var description: String?
    /// The licence.
    public var licence: String
    /// Reported metrics.
    public var metrics: [String: Double]?

    /// Creates a publication.
    public init(model: String, version: String, name: String? = nil, task: String, description: String? = nil, licence: String,
                metrics: [String: Double]? = nil) {
        self.model = model
        self.version = version
        self.name = name
        self.task = task
        self.description = description
        self.licence = licence
        self.metrics = metrics
    }
}
