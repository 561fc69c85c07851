import Foundation

/// A model version served as an endpoint: `lepton serve` replicas behind the platform's router at
/// `/deployments/<name>/v2/…`, scaled between ``minReplicas`` and ``maxReplicas`` by its
/// ``ScalingRule``, reached with its own token (or by anyone when ``isPublic``), optionally with a
/// canary version taking a percentage of the traffic.
///
/// Names are unique across the platform (not only per workspace): they name endpoint paths.
public struct Deployment: Codable, Sendable, Equatable {
    /// Its id (`dep_…`).
    public let id: String
    /// The owning workspace.
    public let workspaceID: String
    /// Its name, the endpoint's path segment.
    public let name: String
    /// When it was created.
    public let created: Date
    /// The registered model it serves.
    public let modelID: String
    /// That model's name (the `<model>` of `/v2/models/<model>/infer`).
    public let modelName: String
    /// The stable version: the one that takes the traffic the canary does not.
    public var version: Int
    /// The fewest replicas while it takes traffic.
    public var minReplicas: Int
    /// The most replicas.
    public var maxReplicas: Int
    /// When to add and remove replicas.
    public var scaling: ScalingRule
    /// Whether requests need no token.
    public var isPublic: Bool
    /// SHA-256 of the deployment token, hex (never sent to clients).
    public var tokenHash: String
    /// A second version taking a share of the traffic, if any.
    public var canary: Canary?
    /// Its state.
    public var state: DeploymentState
    /// When its settings last changed.
    public var updated: Date

    /// Creates a deployment record.
    public init(id: String, workspaceID: String, name: String, created: Date, modelID: String, modelName: String, version: Int,
                minReplicas: Int, maxReplicas: Int, scaling: ScalingRule, isPublic: Bool, tokenHash: String,
                canary: Canary? = nil, state: DeploymentState = .active) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.created = created
        self.modelID = modelID
        self.modelName = modelName
        self.version = version
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.scaling = scaling
        self.isPublic = isPublic
        self.tokenHash = tokenHash
        self.canary = canary
        self.state = state
        self.updated = created
    }

    /// The versions that should have replicas: the stable one, then the canary's.
    public var servedVersions: [Int] { [version] + (canary.map { $0.version == version ? [] : [$0.version] } ?? []) }

    /// The deployment as a client may see it (no token hash).
    public var summary: Summary {
        Summary(id: id, workspace: workspaceID, name: name, created: created, updated: updated, model: modelName, modelID: modelID,
                version: version, minReplicas: minReplicas, maxReplicas: maxReplicas, scaling: scaling, isPublic: isPublic,
                canary: canary, state: state)
    }

    /// What the deployments API returns for a deployment.
    public struct Summary: Codable, Sendable, Equatable {
        public let id: String
        public let workspace: String
        public let name: String
        public let created: Date
        public let updated: Date
        public let model: String
        public let modelID: String
        public let version: Int
        public let minReplicas: Int
        public let maxReplicas: Int
        public let scaling: ScalingRule
        public let isPublic: Bool
        public let canary: Canary?
        public let state: DeploymentState
    }
}

/// A canary: another version of the deployment's model taking `percent` of the requests.
public struct Canary: Codable, Sendable, Equatable {
    /// The canary's model version.
    public let version: Int
    /// The share of requests it takes, 1 to 99.
    public let percent: Int

    /// Creates a canary of `version` taking `percent` % of the traffic.
    public init(version: Int, percent: Int) {
        self.version = version
        self.percent = percent
    }
}

/// Whether a deployment serves.
public enum DeploymentState: String, Codable, Sendable {
    /// It serves (replicas follow its scaling rule; none while scaled to zero).
    case active
}

/// A deployment just created: its record and its token, which is shown this once.
public struct IssuedDeployment: Sendable {
    /// The stored record.
    public let deployment: Deployment
    /// `lepd_<64 hex digits>`: what clients put in `Authorization: Bearer` (nil when public).
    public let token: String?
}
