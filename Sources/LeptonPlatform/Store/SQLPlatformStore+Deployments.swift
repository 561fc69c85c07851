import Foundation
import LeptonSQL

extension SQLPlatformStore: DeploymentStore {
    public func insertDeployment(_ deployment: Deployment) async throws {
        try await db.perform { [self] in
            let record = try Self.json(deployment)
            try db.transaction {
                guard try db.queryInTransaction("SELECT 1 FROM deployments WHERE name = ?", [.text(deployment.name)]).isEmpty else {
                    throw PlatformError(.conflict, "a deployment named \"\(deployment.name)\" exists already (deployment names are unique on the platform: they name endpoints)")
                }
                try db.queryInTransaction("INSERT INTO deployments (id, workspace_id, name, created, record) VALUES (?, ?, ?, ?, ?)", [
                    .text(deployment.id), .text(deployment.workspaceID), .text(deployment.name), .real(deployment.created.timeIntervalSince1970), .text(record),
                ])
            }
        }
    }

    public func updateDeployment(_ deployment: Deployment) async throws {
        try await db.perform { [self] in
            try db.execute("UPDATE deployments SET record = ? WHERE id = ?", [.text(try Self.json(deployment)), .text(deployment.id)])
        }
    }

    public func deployment(named name: String, workspaceID: String?) async throws -> Deployment? {
        try await db.perform { [self] in
            let rows = try workspaceID.map { try db.query("SELECT record FROM deployments WHERE name = ? AND workspace_id = ?", [.text(name), .text($0)]) }
                ?? db.query("SELECT record FROM deployments WHERE name = ?", [.text(name)])
            return rows.first.flatMap(Self.deploymentFromRow)
        }
    }

    public func deployments(workspaceID: String?) async throws -> [Deployment] {
        try await db.perform { [self] in
            let rows = try workspaceID.map { try db.query("SELECT record FROM deployments WHERE workspace_id = ? ORDER BY created, id", [.text($0)]) }
                ?? db.query("SELECT record FROM deployments ORDER BY created, id")
            return rows.compactMap(Self.deploymentFromRow)
        }
    }

    public func deleteDeployment(id: String) async throws {
        try await db.perform { [self] in
            try db.transaction {
                try db.queryInTransaction("DELETE FROM deployment_events WHERE deployment_id = ?", [.text(id)])
                try db.queryInTransaction("DELETE FROM deployments WHERE id = ?", [.text(id)])
            }
        }
    }

    @discardableResult
    public func appendDeploymentEvent(_ event: DeploymentEvent) async throws -> DeploymentEvent {
        try await db.perform { [self] in
            let rows = try db.query("INSERT INTO deployment_events (deployment_id, time, kind, message) VALUES (?, ?, ?, ?) RETURNING sequence", [
                .text(event.deploymentID), .real(event.time.timeIntervalSince1970), .text(event.kind), .text(event.message),
            ])
            let sequence = rows.first?.first?.int ?? 0
            return DeploymentEvent(sequence: sequence, deploymentID: event.deploymentID, time: event.time, kind: event.kind, message: event.message)
        }
    }

    public func deploymentEvents(deploymentID: String, limit: Int) async throws -> [DeploymentEvent] {
        try await db.perform { [self] in
            try db.query("SELECT sequence, deployment_id, time, kind, message FROM deployment_events WHERE deployment_id = ? ORDER BY sequence DESC LIMIT ?",
                         [.text(deploymentID), .integer(limit)]).reversed().map { row in
                DeploymentEvent(sequence: row[0].int ?? 0, deploymentID: row[1].string ?? "", time: Date(timeIntervalSince1970: row[2].double ?? 0),
                                kind: row[3].string ?? "", message: row[4].string ?? "")
            }
        }
    }

    private static func deploymentFromRow(_ row: [SQLValue]) -> Deployment? {
        row.first?.string.flatMap { try? JSONDecoder().decode(Deployment.self, from: Data($0.utf8)) }
    }
}
