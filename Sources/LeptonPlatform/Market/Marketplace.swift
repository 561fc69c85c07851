import Foundation

/// The marketplace: publish a registry version as a public listing, search listings of every
/// workspace, and pull one into one's own registry. A pull copies the files chunk by chunk from
/// the publisher's encryption to the puller's (decrypted only in memory) as a new version whose
/// lineage names the listing.
public struct Marketplace: Sendable {
    let store: any PlatformStore
    let registry: ModelRegistry

    /// Creates the marketplace over `store` and the registry.
    public init(store: any PlatformStore, registry: ModelRegistry) {
        self.store = store
        self.registry = registry
    }

    /// Publishes a version of one of the workspace's models.
    /// - Throws: ``PlatformError`` (`badRequest`) for missing fields, (`notFound`) for a model or version it lacks.
    public func publish(_ publication: MarketPublication, workspaceID: String) async throws -> MarketListing {
        for (field, value) in [("task", publication.task), ("licence", publication.licence)] where value.isEmpty || value.count > 200 {
            throw PlatformError(.badRequest, "\(field): expected 1 to 200 characters")
        }
        let model = try await registry.get(publication.model, workspaceID: workspaceID)
        guard let number = Int(publication.version) ?? model.aliases[publication.version],
              try await store.modelVersions(modelID: model.id).contains(where: { $0.number == number }) else {
            throw PlatformError(.notFound, "model \(model.name) has no version or alias \(publication.version)")
        }
        let listing = MarketListing(id: PlatformID.make("lst"), workspaceID: workspaceID, modelID: model.id, version: number,
                                    name: publication.name ?? model.name, task: publication.task,
                                    description: String((publication.description ?? "").prefix(4000)), licence: publication.licence,
                                    metrics: publication.metrics ?? [:], card: model.card, created: Date())
        try await store.insertListing(listing)
        return listing
    }

    /// Listings whose name, task or description contains `query` (case-insensitive; all when
    /// empty), of `task` when given, newest first.
    public func search(_ query: String = "", task: String? = nil) async throws -> [MarketListing] {
        let needle = query.lowercased()
        return try await store.listings().filter { listing in
            (task == nil || listing.task == task)
                && (needle.isEmpty || [listing.name, listing.task, listing.description].contains { $0.lowercased().contains(needle) })
        }
    }

    /// Listing `id`.
    public func get(_ id: String) async throws -> MarketListing {
        guard PlatformID.isValid(id, prefix: "lst"), let listing = try await store.listing(id: id) else {
            throw PlatformError(.notFound, "no listing \(id); search them with GET /api/v1/market")
        }
        return listing
    }

    /// Copies listing `id` into `workspaceID`'s registry as the next version of model `name`
    /// (default: the listing's name).
    public func pull(_ id: String, as name: String?, workspaceID: String) async throws -> (RegisteredModel, ModelVersion) {
        let listing = try await get(id)
        let versions = try await store.modelVersions(modelID: listing.modelID)
        guard let version = versions.first(where: { $0.number == listing.version }) else {
            throw PlatformError(.notFound, "listing \(id): its model version is gone")
        }
        let lineage = ModelLineage(jobID: version.lineage.jobID, inputs: version.lineage.inputs, configSHA256: version.lineage.configSHA256,
                                   listingID: listing.id)
        return try await registry.copy(version, from: listing.workspaceID, into: name ?? listing.name, workspaceID: workspaceID,
                                       lineage: lineage, card: listing.card)
    }
}
