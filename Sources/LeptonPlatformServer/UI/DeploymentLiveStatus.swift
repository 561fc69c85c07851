import Foundation
import LeptonPlatform

/// What the dashboard shows of a deployment's replicas and traffic at one moment (taken from
/// its pool in the supervisor; empty when it has none).
struct DeploymentLiveStatus {
    /// One replica's row.
    struct ReplicaRow {
        let id: String
        let version: Int
        let phase: String
        let port: Int?
        let outstanding: Int
    }

    let replicas: [ReplicaRow]
    let statistics: DeploymentStatistics
    let target: Int

    init(_ deployment: Deployment, pool: ReplicaPool?) {
        replicas = (pool?.replicas ?? []).map { replica in
            ReplicaRow(id: replica.id, version: replica.version, phase: pool?.phase(of: replica).rawValue ?? "stopped",
                       port: replica.port, outstanding: pool?.outstanding(of: replica) ?? 0)
        }
        statistics = pool?.statistics()
            ?? DeploymentStatistics(requests: 0, failedRequests: 0, inFlight: 0, waiting: 0, latencyP50Ms: nil, latencyP99Ms: nil,
                                    targetReplicas: deployment.minReplicas, replicasOverTime: [])
        target = pool?.target ?? deployment.minReplicas
    }

    /// Replicas taking traffic.
    var ready: Int { replicas.filter { $0.phase == "ready" }.count }

    /// The last sample's requests per second.
    var requestsPerSecond: Double { statistics.replicasOverTime.last?.requestsPerSecond ?? 0 }

    /// `12.3` (one decimal below 100, none above).
    static func format(_ value: Double) -> String { String(format: value < 100 ? "%.1f" : "%.0f", value) }

    /// `4.2 ms`, or `—` without requests.
    static func ms(_ value: Double?) -> String { value.map { "\(format($0)) ms" } ?? "—" }
}
