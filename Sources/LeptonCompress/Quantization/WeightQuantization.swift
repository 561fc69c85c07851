import LeptonTensor

/// Per-channel symmetric `int8` quantisation of weights: each output channel `n` gets
/// `scale[n] = max|w[n, :]| / 127` and codes `round(w / scale[n])` in -127...127 (zero point 0,
/// as ONNX Runtime's and PyTorch's per-channel weight quantisation). With `reduceRange` (ONNX
/// Runtime's option of that name) the codes span -64...64 and the scale is `max|w| / 64`: two
/// `uint8 × int8` products then fit a saturating int16, so CPUs without VNNI run `vpmaddubsw`.
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
    /// `scales` (codes clipped to ±127, or ±64 with `reduceRange`; what quantisation-aware training
    /// froze) or, by default, `max |w| / 127` (`/ 64`) of each channel.
    public init(weights: [Float], channels: Int, depth: Int, scales given: [Float]? = nil, reduceRange: Bool = false) {
        precondition(weights.count == channels * depth, "WeightQuantization: \(weights.count) weights, expected \(channels) × \(depth)")
        precondition(given == nil || given!.count == channels, "WeightQuantization: \(given?.count ?? 0) scales for \(channels) channels")
        var codes = [Int8](repeating: 0, count: weights.count)
        var scales = [Float](repeating: 1, count: channels)
        var sums = [Int32](repeating: 0, count: channels)
        let limit: Float = reduceRange ? 64 : 127
        for n in 0..<channels {
            let row = weights[(n * depth)..<((n + 1) * depth)]
            let largest = row.reduce(0) { Swift.max($0, abs($1)) }
            let scale = given?[n] ?? (largest > 0 ? largest / limit : 1)
            scales[n] = scale
            var sum: Int32 = 0
            for (k, w) in row.enumerated() {
                let q = Int8(Swift.max(-limit, Swift.min(limit, (w / scale).rounded(.toNearestOrEven))))
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
