import LeptonPlatform
import Testing

/// The scaling policy on made-up clocks: windows, clamps, scale to zero.
@Suite("Autoscaler")
struct AutoscalerTests {
    /// One sample per second from `from` to `to` (inclusive) with `rps` requests/s.
    static func samples(_ from: Int, _ to: Int, rps: Double, queue: Double = 0) -> [LoadSample] {
        (from...to).map { LoadSample(time: Double($0), requestsPerSecond: rps, queueDepth: queue) }
    }

    static func desired(current: Int, _ samples: [LoadSample], now: Double, rule: ScalingRule, min: Int = 1, max: Int = 8,
                        lastActivity: Double? = nil) -> Int {
        Autoscaler.desiredReplicas(current: current, samples: samples, lastActivity: lastActivity ?? now, now: now, rule: rule,
                                   minReplicas: min, maxReplicas: max)
    }

    @Test("each sample asks for ceil(load / target), the larger of the two targets, at least 1 under load")
    func recommendation() {
        let both = ScalingRule(targetRequestsPerSecond: 10, targetQueueDepth: 4)
        #expect(Autoscaler.recommendation(for: LoadSample(time: 0, requestsPerSecond: 25, queueDepth: 2), current: 1, rule: both) == 3)
        #expect(Autoscaler.recommendation(for: LoadSample(time: 0, requestsPerSecond: 5, queueDepth: 13), current: 1, rule: both) == 4)
        #expect(Autoscaler.recommendation(for: LoadSample(time: 0, requestsPerSecond: 0.1, queueDepth: 0), current: 5, rule: both) == 1)
        #expect(Autoscaler.recommendation(for: LoadSample(time: 0, requestsPerSecond: 0, queueDepth: 0), current: 5, rule: both) == 0)
        // No target: the count stays where it is.
        #expect(Autoscaler.recommendation(for: LoadSample(time: 0, requestsPerSecond: 500, queueDepth: 9), current: 2, rule: ScalingRule()) == 2)
    }

    @Test("scales up only after the load held through the whole scale-up window")
    func scaleUpWindow() {
        let rule = ScalingRule(targetRequestsPerSecond: 10, scaleUpWindowSeconds: 3, scaleDownWindowSeconds: 30)
        let quiet = Self.samples(0, 9, rps: 5), busy = Self.samples(10, 13, rps: 40)
        #expect(Self.desired(current: 1, quiet + busy.prefix(1), now: 10, rule: rule) == 1)
        #expect(Self.desired(current: 1, quiet + busy.prefix(3), now: 12, rule: rule) == 1)   // 10, 11, 12: the window reaches 9 (quiet)
        #expect(Self.desired(current: 1, quiet + busy, now: 13, rule: rule) == 4)              // 10…13 all busy
        // A one-second spike inside the window does not count.
        let spiky = Self.samples(0, 9, rps: 5) + [LoadSample(time: 10, requestsPerSecond: 90, queueDepth: 0)] + Self.samples(11, 13, rps: 5)
        #expect(Self.desired(current: 1, spiky, now: 13, rule: rule) == 1)
        // History shorter than the window: no change yet.
        #expect(Self.desired(current: 1, Self.samples(0, 1, rps: 90), now: 1, rule: rule) == 1)
        // A zero window acts on the latest sample.
        #expect(Self.desired(current: 1, Self.samples(0, 0, rps: 90), now: 0, rule: ScalingRule(targetRequestsPerSecond: 10, scaleUpWindowSeconds: 0)) == 8)
    }

    @Test("scales down to the largest recommendation of the scale-down window")
    func scaleDownWindow() {
        let rule = ScalingRule(targetRequestsPerSecond: 10, scaleUpWindowSeconds: 0, scaleDownWindowSeconds: 5)
        let history = Self.samples(0, 4, rps: 35) + Self.samples(5, 12, rps: 12)
        #expect(Self.desired(current: 4, history, now: 8, rule: rule) == 4)     // 3…8 includes 35 req/s
        #expect(Self.desired(current: 4, history, now: 10, rule: rule) == 2)    // 5…10: 12 req/s → 2
        #expect(Self.desired(current: 4, Self.samples(0, 3, rps: 0), now: 3, rule: rule) == 4)   // window not covered yet
    }

    @Test("held within min and max, at least one replica under load even with min 0")
    func clamps() {
        let rule = ScalingRule(targetRequestsPerSecond: 1, scaleUpWindowSeconds: 0, scaleDownWindowSeconds: 0)
        #expect(Self.desired(current: 2, Self.samples(0, 0, rps: 1000), now: 0, rule: rule, min: 1, max: 5) == 5)
        #expect(Self.desired(current: 4, Self.samples(0, 0, rps: 0), now: 0, rule: rule, min: 2, max: 5) == 2)
        #expect(Self.desired(current: 0, Self.samples(0, 0, rps: 0.5), now: 0, rule: rule, min: 0, max: 5) == 1)
        #expect(Self.desired(current: 1, Self.samples(0, 0, rps: 0), now: 0, rule: rule, min: 0, max: 5) == 0)
        // No samples yet: the minimum.
        #expect(Self.desired(current: 0, [], now: 0, rule: ScalingRule(), min: 3, max: 5) == 3)
    }

    @Test("scales to zero after the idle time, not before, and not with requests in flight")
    func scaleToZero() {
        let rule = ScalingRule(targetRequestsPerSecond: 10, scaleToZeroAfterSeconds: 60)
        let idle = Self.samples(0, 100, rps: 0)
        #expect(Self.desired(current: 2, idle, now: 100, rule: rule, min: 1, lastActivity: 50) == 1)   // 50 s idle, min 1
        #expect(Self.desired(current: 2, idle, now: 100, rule: rule, min: 1, lastActivity: 40) == 0)   // 60 s idle: zero, despite min
        let stuck = idle + [LoadSample(time: 101, requestsPerSecond: 0, queueDepth: 1)]
        #expect(Self.desired(current: 1, stuck, now: 101, rule: rule, min: 1, lastActivity: 0) == 1)   // a request in flight
        // Without a scale-to-zero rule, idle time alone changes nothing.
        #expect(Self.desired(current: 2, idle, now: 100, rule: ScalingRule(), min: 1, lastActivity: 0) == 2)
    }
}
