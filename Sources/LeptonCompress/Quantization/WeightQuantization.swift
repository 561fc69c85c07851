import LeptonTensor

/// Per-channel symmetric `int8` quantisation of weights: each output channel `n` gets
/// `scale[n] = max|w[n, :]| / 127` and codes `round(w / scale[n])` in -127...127 (zero point 0,
/// as ONNX Runtime's and PyTorch's per-channel weight quantisation).
public struct WeightQuantization: Sendable {
    /// `[channels, depth]` codes, one output channel per row.
    public let codes: [Int8]
    /// One scale per output channel.
    public let scales: [Float]
    /// Each channel's sum of codes (what the kernels subtract `zeroPoint` times).
    public let sums: [Int32]
    public let channels: Int
    public let depth: Int

    /// Quantises `weights`, laid out `[channels, depth]` row-major, with the given per-channel
    /// `scales` (codes clipped to ±127; what quantisation-aware training froze) or, by default,
    /// `max |w| / 127` of each channel.
    public init(weights: [Float], channels: Int, depth: Int, scales given: [Float]? = nil) {
        precondition(weights.count == channels * depth, "WeightQuantization: \(weights.count) weights, expected \(channels) × \(depth)")
        precondition(given == nil || given!.count == channels, "WeightQuantization: \(given?.count ?? 0) scales for \(channels) channels")
        var codes = [Int8](repeating: 0, count: weights.count)
        var scales = [Float](repeating: 1, count: channels)
        var sums = [Int32](repeating: 0, count: channels)
        for n in 0..<channels {
            let row = weights[(n * depth)..<((n + 1) * depth)]
            let largest = row.reduce(0) { Swift.max($0, abs($1)) }
            let scale = given?[n] ?? (largest > 0 ? largest / 127 : 1)
            scales[n] = scale
            var sum: Int32 = 0
            for (k, w) in row.enumerated() {
                let q = Int8(Swift.max(-127, Swift.min(127, (w / scale).rounded(.toNearestOrEven))))
                codes[n * depth + k] = q
                sum += Int32(q)
            }
            sums[n] = sum
        }
        self.codes = codes
        self.scales = scales
        self.sums = sums
        self.channels = channels
        self.depth = depth
    }
}
