import Foundation

/// Where deployments and their events are kept (the embedded SQLite store implements it).
public protocol DeploymentStore: Sendable {
    /// Stores a new deployment.
    /// - Throws: ``PlatformError`` (`conflict`) when a deployment of that name exists (in any workspace).
    func insertDeployment(_ deployment: Deployment) async throws
    /// Replaces a deployment's record.
    func updateDeployment(_ deployment: Deployment) async throws
    /// The deployment named `name` (of `workspaceID` when given), if any.
    func deployment(named name: String, workspaceID: String?) async throws -> Deployment?
    /// The deployments of a workspace (all when nil), oldest first.
    func deployments(workspaceID: String?) async throws -> [Deployment]
    /// Deletes a deployment and its events.
    func deleteDeployment(id: String) async throws
    /// Appends an event; returns it with its sequence number.
    @discardableResult
    func appendDeploymentEvent(_ event: DeploymentEvent) async throws -> DeploymentEvent
    /// The last `limit` events of a deployment, oldest first.
    func deploymentEvents(deploymentID: String, limit: Int) async throws -> [DeploymentEvent]
}
