import Foundation

/// What a caller asks for when creating a deployment.
public struct DeploymentSettings: Sendable, Equatable {
    /// The deployment's name (1 to 63 lower-case letters, digits and '-', starting with a letter).
    public var name: String
    /// The model version: `MODEL`, `MODEL:VERSION` or `MODEL@ALIAS`.
    public var model: String
    /// The fewest replicas while it takes traffic (0 to 64).
    public var minReplicas: Int
    /// The most replicas (1 to 64, at least `minReplicas`).
    public var maxReplicas: Int
    /// When to add and remove replicas.
    public var scaling: ScalingRule
    /// Whether requests need no token.
    public var isPublic: Bool

    /// The most replicas a deployment may have.
    public static let replicaLimit = 64

    /// Creates settings (one replica, no autoscaling, a token).
    public init(name: String, model: String, minReplicas: Int = 1, maxReplicas: Int? = nil, scaling: ScalingRule = ScalingRule(),
                isPublic: Bool = false) {
        self.name = name
        self.model = model
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas ?? max(minReplicas, 1)
        self.scaling = scaling
        self.isPublic = isPublic
    }

    /// Checks a deployment name: it becomes a URL path segment (and a folder name).
    static func checkName(_ name: String) throws {
        guard (1...63).contains(name.count), name.first?.isLowercase == true,
              name.allSatisfy({ ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }) else {
            throw PlatformError(.badRequest, "deployment name \"\(name)\" is invalid; expected 1 to 63 lower-case letters, digits or '-', starting with a letter")
        }
    }

    /// Checks a replica range.
    static func checkReplicas(min: Int, max: Int) throws {
        guard (0...replicaLimit).contains(min), (1...replicaLimit).contains(max), min <= max else {
            throw PlatformError(.badRequest, "replicas must satisfy 0 ≤ min_replicas ≤ max_replicas, 1 ≤ max_replicas ≤ \(replicaLimit); got min \(min), max \(max)")
        }
    }
}
