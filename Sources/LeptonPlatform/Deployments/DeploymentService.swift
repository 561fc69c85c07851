import Foundation

/// Creates and changes deployments — the desired state only: the server's replica supervisor
/// starts and stops `lepton serve` processes to match it and records what happened as events.
///
/// ```swift
/// let issued = try await platform.deployments.create(DeploymentSettings(name: "digits", model: "mnist@champion"),
///                                                    workspaceID: workspace)
/// print("token: \(issued.token ?? "none (public)")")
/// ```
public struct DeploymentService: Sendable {
    let store: any DeploymentStore
    let registry: ModelRegistry
    let market: Marketplace

    /// Creates the service over `store`, resolving model references in `registry` and
    /// `market:LISTING` references by pulling the listing from `market`.
    public init(store: any DeploymentStore, registry: ModelRegistry, market: Marketplace) {
        self.store = store
        self.registry = registry
        self.market = market
    }

    /// Creates a deployment; its token (unless public) is returned to be shown once.
    /// - Throws: ``PlatformError``: `badRequest` for a bad name, reference or number, `notFound`
    ///   for an unknown model, version or alias, `conflict` when the name is taken.
    public func create(_ settings: DeploymentSettings, workspaceID: String, now: Date = Date()) async throws -> IssuedDeployment {
        try DeploymentSettings.checkName(settings.name)
        try DeploymentSettings.checkReplicas(min: settings.minReplicas, max: settings.maxReplicas)
        try settings.scaling.validate()
        let (model, version) = try await resolve(settings, workspaceID: workspaceID)
        let (token, hash) = DeploymentToken.generate()
        let deployment = Deployment(id: PlatformID.make("dep"), workspaceID: workspaceID, name: settings.name, created: now,
                                    modelID: model.id, modelName: model.name, version: version, minReplicas: settings.minReplicas,
                                    maxReplicas: settings.maxReplicas, scaling: settings.scaling, isPublic: settings.isPublic,
                                    tokenHash: settings.isPublic ? "" : hash)
        try await store.insertDeployment(deployment)
        try await record(deployment, "created", "created serving \(model.name) version \(version) with \(settings.minReplicas)…\(settings.maxReplicas) replicas")
        return IssuedDeployment(deployment: deployment, token: settings.isPublic ? nil : token)
    }

    /// The model version `settings.model` names. A `market:LISTING` reference pulls the listing
    /// into the workspace's registry first (as `POST /api/v1/market/ID/pull` does), once the
    /// deployment's name is known to be free.
    private func resolve(_ settings: DeploymentSettings, workspaceID: String) async throws -> (RegisteredModel, Int) {
        guard let listing = ModelReference.marketListing(settings.model) else {
            return try await ModelReference(parsing: settings.model).resolve(in: registry, workspaceID: workspaceID)
        }
        if try await store.deployment(named: settings.name, workspaceID: nil) != nil {
            throw PlatformError(.conflict, "a deployment named \"\(settings.name)\" exists already (deployment names are unique on the platform: they name endpoints)")
        }
        let (model, version) = try await market.pull(listing, as: nil, workspaceID: workspaceID)
        return (model, version.number)
    }

    /// The deployments of a workspace, oldest first.
    public func list(workspaceID: String) async throws -> [Deployment] { try await store.deployments(workspaceID: workspaceID) }

    /// Every deployment of every workspace (for the supervisor).
    public func all() async throws -> [Deployment] { try await store.deployments(workspaceID: nil) }

    /// Deployment `name` of `workspaceID`.
    /// - Throws: ``PlatformError`` (`notFound`).
    public func get(_ name: String, workspaceID: String) async throws -> Deployment {
        guard let deployment = try await store.deployment(named: name, workspaceID: workspaceID) else {
            throw PlatformError(.notFound, "no deployment \(name) in this workspace; list them with GET /api/v1/deployments")
        }
        return deployment
    }

    /// The deployment named `name` in any workspace (the router's lookup), if any.
    public func endpoint(_ name: String) async throws -> Deployment? { try await store.deployment(named: name, workspaceID: nil) }

    /// Sets the replica range and, when given, the scaling rule.
    public func scale(_ name: String, minReplicas: Int?, maxReplicas: Int?, scaling: ScalingRule? = nil,
                      workspaceID: String) async throws -> Deployment {
        var deployment = try await get(name, workspaceID: workspaceID)
        let low = minReplicas ?? deployment.minReplicas, high = maxReplicas ?? max(deployment.maxReplicas, low)
        try DeploymentSettings.checkReplicas(min: low, max: high)
        try scaling?.validate()
        let before = (deployment.minReplicas, deployment.maxReplicas)
        deployment.minReplicas = low
        deployment.maxReplicas = high
        if let scaling { deployment.scaling = scaling }
        try await save(&deployment, "scale", "replica range \(before.0)…\(before.1) → \(low)…\(high)")
        return deployment
    }

    /// Rolls the deployment to another version of its model (any canary is dropped): the
    /// supervisor starts the new version's replicas, moves the traffic once they are ready, then
    /// drains and stops the old ones.
    public func update(_ name: String, model reference: String, workspaceID: String) async throws -> Deployment {
        var deployment = try await get(name, workspaceID: workspaceID)
        let version = try await resolveVersion(reference, of: deployment)
        let before = deployment.version
        deployment.version = version
        deployment.canary = nil
        try await save(&deployment, "rollout", "rolling update from version \(before) to version \(version) started")
        return deployment
    }

    /// Sends `percent` % of the traffic to another version of the model (a canary).
    public func canary(_ name: String, model reference: String, percent: Int, workspaceID: String) async throws -> Deployment {
        var deployment = try await get(name, workspaceID: workspaceID)
        guard (1...99).contains(percent) else {
            throw PlatformError(.badRequest, "a canary takes 1 to 99 percent of the traffic; got \(percent) (use update to move all of it)")
        }
        let version = try await resolveVersion(reference, of: deployment)
        guard version != deployment.version else {
            throw PlatformError(.badRequest, "version \(version) is the stable version of \(name) already; a canary needs another version")
        }
        deployment.canary = Canary(version: version, percent: percent)
        try await save(&deployment, "canary", "canary version \(version) takes \(percent) % of the traffic")
        return deployment
    }

    /// Makes the canary the stable version (its replicas take all the traffic, the old stable
    /// version's are drained and stopped).
    public func promote(_ name: String, workspaceID: String) async throws -> Deployment {
        var deployment = try await get(name, workspaceID: workspaceID)
        guard let canary = deployment.canary else {
            throw PlatformError(.conflict, "deployment \(name) has no canary to promote; start one with POST /api/v1/deployments/\(name)/canary")
        }
        let before = deployment.version
        deployment.version = canary.version
        deployment.canary = nil
        try await save(&deployment, "promoted", "canary version \(canary.version) promoted; version \(before) drains")
        return deployment
    }

    /// Removes the canary (its replicas drain and stop; the stable version takes all the traffic).
    public func rollback(_ name: String, workspaceID: String) async throws -> Deployment {
        var deployment = try await get(name, workspaceID: workspaceID)
        guard let canary = deployment.canary else {
            throw PlatformError(.conflict, "deployment \(name) has no canary to roll back")
        }
        deployment.canary = nil
        try await save(&deployment, "rolled_back", "canary version \(canary.version) removed; version \(deployment.version) takes all the traffic")
        return deployment
    }

    /// Deletes a deployment (the supervisor stops its replicas).
    public func delete(_ name: String, workspaceID: String) async throws -> Deployment {
        let deployment = try await get(name, workspaceID: workspaceID)
        try await store.deleteDeployment(id: deployment.id)
        return deployment
    }

    /// The last `limit` events of deployment `name`.
    public func events(_ name: String, workspaceID: String, limit: Int = 100) async throws -> [DeploymentEvent] {
        try await store.deploymentEvents(deploymentID: get(name, workspaceID: workspaceID).id, limit: limit)
    }

    /// Appends an event to a deployment's log.
    public func record(_ deployment: Deployment, _ kind: String, _ message: String) async throws {
        try await store.appendDeploymentEvent(DeploymentEvent(deploymentID: deployment.id, kind: kind, message: message))
    }

    /// Decrypts version `version` of the deployment's model into `folder` (for the supervisor's serve repository).
    public func writeModel(of deployment: Deployment, version: Int, into folder: URL) async throws {
        try await registry.writeVersion(String(version), model: deployment.modelID, workspaceID: deployment.workspaceID, into: folder)
    }

    private func resolveVersion(_ reference: String, of deployment: Deployment) async throws -> Int {
        let (model, version) = try await ModelReference(parsing: reference).resolve(in: registry, workspaceID: deployment.workspaceID)
        guard model.id == deployment.modelID else {
            throw PlatformError(.badRequest, "deployment \(deployment.name) serves model \(deployment.modelName), not \(model.name); name a version of it (\(deployment.modelName):VERSION or \(deployment.modelName)@ALIAS) — another model would change the inference paths clients call")
        }
        return version
    }

    private func save(_ deployment: inout Deployment, _ kind: String, _ message: String) async throws {
        deployment.updated = Date()
        try await store.updateDeployment(deployment)
        try await record(deployment, kind, message)
    }
}
