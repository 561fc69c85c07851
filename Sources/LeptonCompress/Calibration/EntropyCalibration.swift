import Foundation

/// TensorRT's entropy calibration over a histogram: for each candidate end bin, the reference
/// distribution P is the histogram up to that bin with everything beyond added to its last bin
/// (the clipped values), Q is the histogram up to that bin (without them) merged into `levels`
/// quantisation levels and spread back over P's non-empty bins; the end with the smallest
/// KL(P‖Q) wins. Clipping much costs the spike in P's last bin; keeping much costs resolution.
enum EntropyCalibration {
    /// The number of leading bins to keep (at least `levels`, at most the histogram's size).
    static func bestEnd(_ histogram: [Double], levels: Int, step: Int = 8) -> Int {
        let bins = histogram.count
        guard bins > levels else { return bins }
        var best = bins, bestDivergence = Double.infinity
        var end = levels
        while end <= bins {
            let divergence = klDivergence(histogram, end: end, levels: levels)
            if divergence < bestDivergence {
                bestDivergence = divergence
                best = end
            }
            end += end + step > bins && end < bins ? bins - end : step
        }
        return best
    }

    /// KL(P‖Q) for the candidate keeping `end` bins.
    static func klDivergence(_ histogram: [Double], end: Int, levels: Int) -> Double {
        var p = Array(histogram[0..<end])
        p[end - 1] += histogram[end...].reduce(0, +)
        var q = [Double](repeating: 0, count: end)
        for level in 0..<levels {
            let start = level * end / levels, stop = (level + 1) * end / levels
            guard stop > start else { continue }
            let mass = histogram[start..<stop].reduce(0, +)   // without the clipped tail, as TensorRT
            let filled = (start..<stop).filter { p[$0] > 0 }.count
            guard filled > 0 else { continue }
            for i in start..<stop where p[i] > 0 { q[i] = mass / Double(filled) }
        }
        let pTotal = p.reduce(0, +), qTotal = q.reduce(0, +)
        guard pTotal > 0, qTotal > 0 else { return .infinity }
        var divergence = 0.0
        for i in 0..<end where p[i] > 0 {
            let pi = p[i] / pTotal
            let qi = max(q[i] / qTotal, 1e-12)
            divergence += pi * log(pi / qi)
        }
        return divergence
    }
}
