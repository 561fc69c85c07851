import Foundation
import LeptonPlatform

/// A deployment's replicas and traffic, shared by the router (which picks a replica per request)
/// and the supervisor (which starts, admits, drains and replaces them). Every access takes one
/// short lock; nothing waits while holding it.
final class ReplicaPool: @unchecked Sendable {
    private let lock = NSLock()
    private var record: Deployment
    private var members: [Replica] = []
    private var rotation = 0
    // Traffic.
    private var requestsSinceSample = 0
    private var totalRequests = 0
    private var failedRequests = 0
    private var waitingRequests = 0
    private var lastRequestTime: Double
    private var latencies: [Double] = []
    private var latencyCursor = 0
    // Scaling.
    /// The replica count of the stable version the supervisor works towards.
    private var replicaTarget: Int
    private var loadSamples: [LoadSample] = []
    private var timeline: [ReplicaCountSample] = []
    /// When a failed start may be retried, and how many failed in a row.
    private(set) var startFailures = 0
    private var nextStartTime: Double = 0

    /// How many request latencies are kept for the percentiles.
    static let latencyWindow = 4096
    /// How many replica-count samples are kept (one per autoscaler tick).
    static let timelineLength = 900

    init(_ deployment: Deployment, now: Double) {
        record = deployment
        replicaTarget = deployment.minReplicas
        lastRequestTime = now
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }

    /// The deployment's latest record.
    var deployment: Deployment {
        get { locked { record } }
        set { locked { record = newValue } }
    }

    /// Every replica.
    var replicas: [Replica] { locked { members } }

    func add(_ replica: Replica) { locked { members.append(replica) } }

    func remove(_ replica: Replica) { locked { members.removeAll { $0 === replica } } }

    /// Sets a replica's phase; returns the phase it had.
    @discardableResult
    func setPhase(_ replica: Replica, _ phase: Replica.Phase, port: Int? = nil) -> Replica.Phase {
        locked {
            let before = replica.phase
            replica.phase = phase
            if let port { replica.port = port }
            return before
        }
    }

    func phase(of replica: Replica) -> Replica.Phase { locked { replica.phase } }

    /// Records a replica's process.
    func setProcess(_ replica: Replica, _ process: ReplicaProcess) { locked { replica.process = process } }

    /// Admits a starting replica to traffic on `port`; false when it was drained meanwhile.
    func admit(_ replica: Replica, port: Int) -> Bool {
        locked {
            guard replica.phase == .starting else { return false }
            replica.phase = .ready
            replica.port = port
            return true
        }
    }

    func outstanding(of replica: Replica) -> Int { locked { replica.outstanding } }

    /// Counts a liveness probe; returns the failures in a row.
    func probed(_ replica: Replica, ok: Bool) -> Int {
        locked {
            replica.failedProbes = ok ? 0 : replica.failedProbes + 1
            return replica.failedProbes
        }
    }

    // MARK: Routing

    /// A ready replica for the next request, counted as outstanding until ``release(_:seconds:failed:)``:
    /// the canary's share goes to canary replicas, the rest to the stable version's; when the
    /// chosen version has none ready, any ready replica (an old version during a rollout). Among
    /// those, the one with the fewest outstanding requests.
    func pick(excluding excluded: Set<String> = [], now: Double) -> Replica? {
        locked {
            lastRequestTime = now
            let ready = members.filter { $0.phase == .ready && $0.port != nil && !excluded.contains($0.id) }
            guard !ready.isEmpty else { return nil }
            var version = record.version
            if let canary = record.canary, Int.random(in: 0..<100) < canary.percent { version = canary.version }
            let preferred = ready.filter { $0.version == version }
            let candidates = preferred.isEmpty ? ready : preferred
            rotation &+= 1
            var best = candidates[rotation % candidates.count]
            for replica in candidates where replica.outstanding < best.outstanding { best = replica }
            best.outstanding += 1
            return best
        }
    }

    /// Ends a request picked with ``pick(excluding:now:)``.
    func release(_ replica: Replica) { locked { replica.outstanding -= 1 } }

    /// Counts an answered request (or a failed one) and its latency.
    func recordRequest(seconds: Double, failed: Bool) {
        locked {
            requestsSinceSample += 1
            totalRequests += 1
            if failed { failedRequests += 1 }
            if latencies.count < Self.latencyWindow { latencies.append(seconds) } else {
                latencies[latencyCursor] = seconds
                latencyCursor = (latencyCursor + 1) % Self.latencyWindow
            }
        }
    }

    /// Marks a request held until a replica is ready (a cold start), or its end.
    func holding(_ delta: Int, now: Double) {
        locked {
            waitingRequests += delta
            lastRequestTime = now
        }
    }

    /// Whether requests wait for a replica.
    var hasWaitingRequests: Bool { locked { waitingRequests > 0 } }

    // MARK: Scaling

    /// The stable version's replica target.
    var target: Int {
        get { locked { replicaTarget } }
        set { locked { replicaTarget = newValue } }
    }

    /// Takes a load sample (requests since the last one over `interval` seconds, requests in
    /// flight) and a replica-count sample; keeps `keep` seconds of load samples.
    func sample(now: Double, interval: Double, keep: Double, wallClock: Date) -> (samples: [LoadSample], lastRequest: Double) {
        locked {
            let inFlight = members.reduce(0) { $0 + $1.outstanding } + waitingRequests
            let rate = interval > 0 ? Double(requestsSinceSample) / interval : 0
            requestsSinceSample = 0
            loadSamples.append(LoadSample(time: now, requestsPerSecond: rate, queueDepth: Double(inFlight)))
            loadSamples.removeAll { $0.time < now - keep }
            timeline.append(ReplicaCountSample(time: wallClock, replicas: members.filter { $0.phase != .stopped }.count,
                                               ready: members.filter { $0.phase == .ready }.count, requestsPerSecond: rate))
            if timeline.count > Self.timelineLength { timeline.removeFirst(timeline.count - Self.timelineLength) }
            return (loadSamples, lastRequestTime)
        }
    }

    /// Notes a start that failed (the next waits 1, 2, 4 … 30 s) or one that succeeded.
    func startFinished(ok: Bool, now: Double) {
        locked {
            startFailures = ok ? 0 : startFailures + 1
            nextStartTime = ok ? 0 : now + min(30, pow(2, Double(startFailures - 1)))
        }
    }

    /// Whether a new replica may be started now (no back-off pending).
    func mayStart(now: Double) -> Bool { locked { now >= nextStartTime } }

    /// The deployment's traffic and replica counts for the API.
    func statistics() -> DeploymentStatistics {
        locked {
            let sorted = latencies.sorted()
            func percentile(_ p: Double) -> Double? {
                sorted.isEmpty ? nil : sorted[min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))] * 1000
            }
            return DeploymentStatistics(requests: totalRequests, failedRequests: failedRequests, inFlight: members.reduce(0) { $0 + $1.outstanding },
                                        waiting: waitingRequests, latencyP50Ms: percentile(0.5), latencyP99Ms: percentile(0.99),
                                        targetReplicas: replicaTarget, replicasOverTime: timeline)
        }
    }
}

/// A deployment's replica count and load at one moment.
struct ReplicaCountSample: Codable, Sendable {
    let time: Date
    let replicas: Int
    let ready: Int
    let requestsPerSecond: Double
}

/// What `GET /api/v1/deployments/:name/metrics` returns.
struct DeploymentStatistics: Codable, Sendable {
    let requests: Int
    let failedRequests: Int
    let inFlight: Int
    let waiting: Int
    let latencyP50Ms: Double?
    let latencyP99Ms: Double?
    let targetReplicas: Int
    let replicasOverTime: [ReplicaCountSample]
}
