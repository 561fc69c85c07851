import Foundation

/// One replica of a deployment as the router and the supervisor see it. Its mutable fields are
/// guarded by the lock of the ``ReplicaPool`` it belongs to.
final class Replica: @unchecked Sendable {
    /// Where a replica is in its life.
    enum Phase: String, Sendable {
        /// Materialising its model, starting, or waiting for `/v2/health/ready`.
        case starting
        /// Taking traffic.
        case ready
        /// Taking no new requests; stopped once its in-flight requests are answered.
        case draining
        /// Gone.
        case stopped
    }

    /// Its id (`rep_…`), also its folder's name.
    let id: String
    /// The model version it serves.
    let version: Int
    /// When it was asked for.
    let created = Date()
    /// The replica it replaces (after a crash), if any.
    let replaces: String?
    var phase: Phase = .starting
    /// Its process, once started.
    var process: ReplicaProcess?
    /// Its port, once ready.
    var port: Int?
    /// Requests sent to it and not yet answered.
    var outstanding = 0
    /// Liveness probes failed in a row.
    var failedProbes = 0

    init(id: String, version: Int, replaces: String?) {
        self.id = id
        self.version = version
        self.replaces = replaces
    }
}
