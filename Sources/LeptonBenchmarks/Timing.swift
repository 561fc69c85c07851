import Foundation

/// Monotonic wall-clock time in seconds.
func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Seconds taken by `body`.
func time(_ body: () -> Void) -> Double {
    let t0 = now()
    body()
    return now() - t0
}

/// Median, minimum, maximum and 10th / 90th percentiles of a set of samples.
struct Summary {
    let median: Double
    let min: Double
    let max: Double
    let p10: Double
    let p90: Double
    let count: Int

    init(_ samples: [Double]) {
        precondition(!samples.isEmpty, "no samples")
        let s = samples.sorted()
        median = s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        min = s.first!
        max = s.last!
        p10 = Summary.percentile(s, 0.10)
        p90 = Summary.percentile(s, 0.90)
        count = s.count
    }

    /// Linear interpolation between closest ranks (NumPy's default), `sorted` ascending.
    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        let pos = q * Double(sorted.count - 1)
        let lo = Int(pos.rounded(.down)), hi = Swift.min(lo + 1, sorted.count - 1)
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - Double(lo))
    }
}

/// How a benchmark's figure is shown: a rate (higher is better, e.g. GFLOP/s) computed from
/// `work / secondsPerRep`, or a time per repetition in milliseconds (lower is better).
enum Metric {
    case rate(unit: String, workPerRep: Double)
    case milliseconds
    /// Single-call latency in milliseconds: every call is timed on its own; the table shows
    /// the median over all calls of all windows and the 10th–90th percentiles as the range.
    case latency

    var unit: String {
        switch self {
        case .rate(let unit, _): return unit
        case .milliseconds: return "ms/iter"
        case .latency: return "ms (p10–p90)"
        }
    }

    /// The figure shown for one window of `reps` repetitions that took `seconds`.
    func value(seconds: Double, reps: Int) -> Double {
        let perRep = seconds / Double(reps)
        switch self {
        case .rate(_, let work): return work / perRep
        case .milliseconds, .latency: return perRep * 1e3
        }
    }

    /// Lepton's speed relative to the peer's (> 1: Lepton is faster), from median figures.
    func speedRatio(lepton: Double, peer: Double) -> Double {
        switch self {
        case .rate: return lepton / peer
        case .milliseconds, .latency: return peer / lepton
        }
    }
}
