import Foundation
import HTTPTypes
import Hummingbird
import LeptonPlatform

/// `/api/v1/deployments`: create, list, show (ready replicas, endpoint, events), scale, roll to a
/// version, canary, promote, roll back, delete, metrics. Viewers read, editors change; every
/// change is audited by the middleware and reconciled by the supervisor before the answer.
struct DeploymentRoutes {
    let platform: Platform
    let supervisor: DeploymentSupervisor

    struct CreateBody: Decodable {
        let name: String
        let model: String
        let minReplicas: Int?
        let maxReplicas: Int?
        let targetRequestsPerSecond: Double?
        let targetQueueDepth: Double?
        let scaleUpWindowSeconds: Double?
        let scaleDownWindowSeconds: Double?
        let scaleToZeroAfterSeconds: Double?
        let `public`: Bool?

        var scaling: ScalingRule {
            ScalingRule(targetRequestsPerSecond: targetRequestsPerSecond, targetQueueDepth: targetQueueDepth,
                        scaleUpWindowSeconds: scaleUpWindowSeconds ?? ScalingRule.defaultScaleUpWindow,
                        scaleDownWindowSeconds: scaleDownWindowSeconds ?? ScalingRule.defaultScaleDownWindow,
                        scaleToZeroAfterSeconds: scaleToZeroAfterSeconds)
        }
    }

    struct ScaleBody: Decodable {
        let minReplicas: Int?
        let maxReplicas: Int?
        let targetRequestsPerSecond: Double?
        let targetQueueDepth: Double?
        let scaleUpWindowSeconds: Double?
        let scaleDownWindowSeconds: Double?
        let scaleToZeroAfterSeconds: Double?

        /// The rule with the fields given replaced, or nil when none is.
        func scaling(over rule: ScalingRule) -> ScalingRule? {
            guard targetRequestsPerSecond != nil || targetQueueDepth != nil || scaleUpWindowSeconds != nil || scaleDownWindowSeconds != nil
                    || scaleToZeroAfterSeconds != nil else { return nil }
            var changed = rule
            if let targetRequestsPerSecond { changed.targetRequestsPerSecond = targetRequestsPerSecond > 0 ? targetRequestsPerSecond : nil }
            if let targetQueueDepth { changed.targetQueueDepth = targetQueueDepth > 0 ? targetQueueDepth : nil }
            if let scaleUpWindowSeconds { changed.scaleUpWindowSeconds = scaleUpWindowSeconds }
            if let scaleDownWindowSeconds { changed.scaleDownWindowSeconds = scaleDownWindowSeconds }
            if let scaleToZeroAfterSeconds { changed.scaleToZeroAfterSeconds = scaleToZeroAfterSeconds > 0 ? scaleToZeroAfterSeconds : nil }
            return changed
        }
    }

    struct ModelBody: Decodable { let model: String }
    struct CanaryBody: Decodable {
        let model: String
        let percent: Int
    }

    struct Created: Encodable {
        let deployment: Deployment.Summary
        let token: String?
        let endpoint: String
    }

    struct ReplicaStatus: Encodable {
        let id: String
        let version: Int
        let phase: String
        let pid: Int32?
        let port: Int?
        let outstanding: Int
        let created: Date
    }

    struct Status: Encodable {
        let deployment: Deployment.Summary
        let endpoint: String
        let readyReplicas: Int
        let targetReplicas: Int
        let replicas: [ReplicaStatus]
        let events: [DeploymentEvent]
    }

    func register(on table: PlatformRouteTable) {
        let deployments = platform.deployments, supervisor = self.supervisor
        table.add(.get, "/api/v1/deployments", role: .viewer, "list deployments") { _, _, who in
            try jsonResponse(["deployments": try await deployments.list(workspaceID: who.workspaceID).map(\.summary)])
        }
        table.add(.post, "/api/v1/deployments", role: .editor, "create a deployment of a model version (the token is shown once)") { request, _, who in
            let body = try await PlatformJSON.decode(CreateBody.self, from: request,
                                                     expected: #"{"name": "digits", "model": "mnist@champion", "min_replicas": 1, "max_replicas": 4, "target_requests_per_second": 50}"#)
            let settings = DeploymentSettings(name: body.name, model: body.model, minReplicas: body.minReplicas ?? 1, maxReplicas: body.maxReplicas,
                                              scaling: body.scaling, isPublic: body.public ?? false)
            let issued = try await deployments.create(settings, workspaceID: who.workspaceID)
            await supervisor.reconcile()
            return try jsonResponse(Created(deployment: issued.deployment.summary, token: issued.token,
                                            endpoint: Self.endpoint(of: issued.deployment.name, request: request)), status: .created)
        }
        table.add(.get, "/api/v1/deployments/:name", role: .viewer, "a deployment's status: replicas, endpoint, recent events") { request, context, who in
            let name = try request.parameter("name", of: context)
            let deployment = try await deployments.get(name, workspaceID: who.workspaceID)
            let pool = supervisor.pools[deployment.name]
            let replicas = (pool?.replicas ?? []).map { replica in
                ReplicaStatus(id: replica.id, version: replica.version, phase: pool?.phase(of: replica).rawValue ?? "stopped",
                              pid: replica.process?.pid, port: replica.port, outstanding: pool?.outstanding(of: replica) ?? 0, created: replica.created)
            }
            return try jsonResponse(Status(deployment: deployment.summary, endpoint: Self.endpoint(of: deployment.name, request: request),
                                           readyReplicas: replicas.filter { $0.phase == "ready" }.count, targetReplicas: pool?.target ?? deployment.minReplicas,
                                           replicas: replicas, events: try await deployments.events(name, workspaceID: who.workspaceID, limit: 20)))
        }
        table.add(.get, "/api/v1/deployments/:name/events", role: .viewer, "a deployment's events (?limit=N, default 100)") { request, context, who in
            let limit = try request.integerQuery("limit", default: 100)
            guard (1...10_000).contains(limit) else { throw PlatformError(.badRequest, "limit must be in 1...10000; got \(limit)") }
            return try jsonResponse(["events": try await deployments.events(try request.parameter("name", of: context), workspaceID: who.workspaceID, limit: limit)])
        }
        table.add(.get, "/api/v1/deployments/:name/metrics", role: .viewer, "requests, latency p50/p99 and replicas over time") { request, context, who in
            let deployment = try await deployments.get(try request.parameter("name", of: context), workspaceID: who.workspaceID)
            let statistics = supervisor.pools[deployment.name]?.statistics()
                ?? DeploymentStatistics(requests: 0, failedRequests: 0, inFlight: 0, waiting: 0, latencyP50Ms: nil, latencyP99Ms: nil,
                                        targetReplicas: deployment.minReplicas, replicasOverTime: [])
            return try jsonResponse(statistics)
        }
        table.add(.post, "/api/v1/deployments/:name/scale", role: .editor, "set the replica range and scaling rule") { request, context, who in
            let body = try await PlatformJSON.decode(ScaleBody.self, from: request, expected: #"{"min_replicas": 1, "max_replicas": 4, "target_requests_per_second": 50}"#)
            let name = try request.parameter("name", of: context)
            let current = try await deployments.get(name, workspaceID: who.workspaceID)
            let deployment = try await deployments.scale(name, minReplicas: body.minReplicas, maxReplicas: body.maxReplicas,
                                                         scaling: body.scaling(over: current.scaling), workspaceID: who.workspaceID)
            await supervisor.reconcile()
            return try jsonResponse(deployment.summary)
        }
        table.add(.post, "/api/v1/deployments/:name/update", role: .editor, "roll to another version of the model (MODEL:VERSION or MODEL@ALIAS)") { request, context, who in
            let body = try await PlatformJSON.decode(ModelBody.self, from: request, expected: #"{"model": "mnist:3"}"#)
            let deployment = try await deployments.update(try request.parameter("name", of: context), model: body.model, workspaceID: who.workspaceID)
            await supervisor.reconcile()
            return try jsonResponse(deployment.summary)
        }
        table.add(.post, "/api/v1/deployments/:name/canary", role: .editor, "send a percentage of the traffic to another version") { request, context, who in
            let body = try await PlatformJSON.decode(CanaryBody.self, from: request, expected: #"{"model": "mnist:3", "percent": 10}"#)
            let deployment = try await deployments.canary(try request.parameter("name", of: context), model: body.model, percent: body.percent,
                                                          workspaceID: who.workspaceID)
            await supervisor.reconcile()
            return try jsonResponse(deployment.summary)
        }
        table.add(.post, "/api/v1/deployments/:name/promote", role: .editor, "make the canary the stable version") { request, context, who in
            let deployment = try await deployments.promote(try request.parameter("name", of: context), workspaceID: who.workspaceID)
            await supervisor.reconcile()
            return try jsonResponse(deployment.summary)
        }
        table.add(.post, "/api/v1/deployments/:name/rollback", role: .editor, "remove the canary") { request, context, who in
            let deployment = try await deployments.rollback(try request.parameter("name", of: context), workspaceID: who.workspaceID)
            await supervisor.reconcile()
            return try jsonResponse(deployment.summary)
        }
        table.add(.delete, "/api/v1/deployments/:name", role: .editor, "delete a deployment (its replicas are drained and stopped)") { request, context, who in
            let deployment = try await deployments.delete(try request.parameter("name", of: context), workspaceID: who.workspaceID)
            await supervisor.reconcile()
            return try jsonResponse(["deleted": deployment.name])
        }
    }

    /// The deployment's endpoint URL as the caller reached the platform.
    static func endpoint(of name: String, request: Request) -> String {
        "http://\(request.head.authority ?? "127.0.0.1")\(DeploymentRouter.prefix)\(name)"
    }
}
