import Foundation

/// Something that happened to a deployment: created, a replica started, ready, crashed or
/// replaced, scaled from one count to another, a step of a rollout.
public struct DeploymentEvent: Codable, Sendable, Equatable {
    /// Its place in the event log (increasing).
    public let sequence: Int
    /// The deployment.
    public let deploymentID: String
    /// When it happened.
    public let time: Date
    /// What kind of event (`created`, `replica.started`, `replica.ready`, `replica.crashed`,
    /// `replica.replaced`, `replica.stopped`, `scaled`, `rollout`, `canary`, `promoted`, `rolled_back`, …).
    public let kind: String
    /// A sentence for people.
    public let message: String

    /// Creates an event.
    public init(sequence: Int = 0, deploymentID: String, time: Date = Date(), kind: String, message: String) {
        self.sequence = sequence
        self.deploymentID = deploymentID
        self.time = time
        self.kind = kind
        self.message = message
    }
}
