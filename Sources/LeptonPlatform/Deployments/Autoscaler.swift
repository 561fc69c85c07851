import Foundation

/// The load a deployment carried at one moment, as the router saw it.
public struct LoadSample: Sendable, Equatable {
    /// When, in seconds on the caller's clock.
    public let time: Double
    /// Requests per second over the interval that ended at ``time``.
    public let requestsPerSecond: Double
    /// Requests in flight (held for a replica, queued in one or running) at ``time``.
    public let queueDepth: Double

    /// Creates a sample.
    public init(time: Double, requestsPerSecond: Double, queueDepth: Double) {
        self.time = time
        self.requestsPerSecond = requestsPerSecond
        self.queueDepth = queueDepth
    }

    /// Whether any request was seen.
    var isBusy: Bool { requestsPerSecond > 0 || queueDepth > 0 }
}

/// The scaling policy, a pure function of observed load: no clock or process of its own, so it is
/// tested with made-up times.
///
/// Each sample recommends `ceil(load / target)` replicas for each target of the rule (the larger
/// wins; at least one while there is load). Like Kubernetes' HPA, it scales up to the *smallest*
/// recommendation of the scale-up window and down to the *largest* of the scale-down window, and
/// only once its samples cover the whole window — a burst shorter than the window neither adds
/// replicas nor keeps them. Without any request for `scaleToZeroAfterSeconds` it answers 0; the
/// result is otherwise held within `minReplicas...maxReplicas`.
///
/// ```swift
/// let desired = Autoscaler.desiredReplicas(current: 2, samples: history, lastActivity: lastRequest,
///                                          now: now, rule: rule, minReplicas: 1, maxReplicas: 8)
/// ```
public enum Autoscaler {
    /// The replica count the deployment should have now.
    /// - Parameters:
    ///   - current: replicas it has (starting or ready; those being drained not counted).
    ///   - samples: load samples, oldest first.
    ///   - lastActivity: when it last received a request (or, if it never did, when its replicas started).
    ///   - now: the current time on the samples' clock.
    public static func desiredReplicas(current: Int, samples: [LoadSample], lastActivity: Double, now: Double, rule: ScalingRule,
                                       minReplicas: Int, maxReplicas: Int) -> Int {
        let latest = samples.last(where: { $0.time <= now })
        if let idle = rule.scaleToZeroAfterSeconds, now - lastActivity >= idle, !(latest?.isBusy ?? false) {
            return 0
        }
        var desired = current
        if let up = recommendation(over: rule.scaleUpWindowSeconds, samples: samples, now: now, current: current, rule: rule, pick: min),
           up > current {
            desired = up
        } else if let down = recommendation(over: rule.scaleDownWindowSeconds, samples: samples, now: now, current: current, rule: rule, pick: max),
                  down < current {
            desired = down
        }
        let floor = (latest?.isBusy ?? false) ? max(minReplicas, 1) : minReplicas
        return min(max(desired, floor), max(maxReplicas, floor))
    }

    /// The replicas one sample asks for: `ceil(load / target)` per target, the larger; at least 1
    /// under load, 0 without; `current` when the rule has no target.
    public static func recommendation(for sample: LoadSample, current: Int, rule: ScalingRule) -> Int {
        guard rule.targetRequestsPerSecond != nil || rule.targetQueueDepth != nil else { return current }
        var replicas = 0
        if let target = rule.targetRequestsPerSecond { replicas = max(replicas, Int((sample.requestsPerSecond / target).rounded(.up))) }
        if let target = rule.targetQueueDepth { replicas = max(replicas, Int((sample.queueDepth / target).rounded(.up))) }
        return sample.isBusy ? max(replicas, 1) : replicas
    }

    /// The recommendation `pick` (min or max) chooses over the samples of the last `window`
    /// seconds, or nil when the samples do not reach back over the whole window yet.
    static func recommendation(over window: Double, samples: [LoadSample], now: Double, current: Int, rule: ScalingRule,
                               pick: (Int, Int) -> Int) -> Int? {
        let past = samples.filter { $0.time <= now }
        guard let last = past.last else { return nil }
        if window <= 0 { return recommendation(for: last, current: current, rule: rule) }
        guard let first = past.first, first.time <= now - window else { return nil }
        let inWindow = past.filter { $0.time >= now - window }
        return inWindow.map { recommendation(for: $0, current: current, rule: rule) }.reduce(nil) { partial, next in
            partial.map { pick($0, next) } ?? next
        }
    }
}
