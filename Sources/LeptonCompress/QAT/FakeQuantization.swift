import LeptonTensor

/// Fake quantisation (PyTorch's `FakeQuantize`): values rounded to the grid the int8 model will
/// use and mapped back to float32, with the straight-through gradient with clipping — 1 where the
/// value lies inside the quantised range, 0 outside. The rounding is exactly that of
/// ``ActivationQuantization`` and ``WeightQuantization``, so a layer that computes in float32 on
/// fake-quantised inputs and weights gives what the int8 layer gives, up to float rounding.
///
/// The gradient needs no new autodiff op: the result is `clip(x) + (q(x) − clip(x))` with the
/// second term detached from the graph.
///
/// ```swift
/// let q = ActivationQuantization(minimum: 0, maximum: 6)
/// let y = FakeQuantization.activations(x, q)   // on q's 256-level grid; dy/dx = 1 on [0, 6]
/// ```
public enum FakeQuantization {
    /// `x` quantised per tensor to `uint8` with `quantization` and dequantised.
    public static func activations(_ x: Tensor, _ quantization: ActivationQuantization) -> Tensor {
        let count = x.count
        let values = Tensor(uninitializedShape: x.shape, backend: x.backend)
        var codes = [UInt8](repeating: 0, count: count)
        codes.withUnsafeMutableBufferPointer { quantization.quantize(x.floats, count: count, into: $0.baseAddress!) }
        let table = (0...255).map { quantization.value(UInt8($0)) }
        let out = values.floats
        for i in 0..<count { out[i] = table[Int(codes[i])] }
        let low = quantization.value(0), high = quantization.value(255)
        let clipped = x.clamp(min: low, max: high)
        return clipped + (values - clipped.detach())
    }

    /// The per-channel symmetric scales ``WeightQuantization`` gives `weights`: for each index
    /// `n` along `channelAxis`, `max |w[…, n, …]| / 127` (1 for an all-zero channel).
    public static func weightScales(_ weights: Tensor, channelAxis: Int) -> [Float] {
        let (outer, channels, inner) = layout(weights.shape, channelAxis)
        var largest = [Float](repeating: 0, count: channels)
        let w = weights.floats
        for o in 0..<outer { for n in 0..<channels { for i in 0..<inner {
            largest[n] = Swift.max(largest[n], Swift.abs(w[(o * channels + n) * inner + i]))
        } } }
        return largest.map { $0 > 0 ? $0 / 127 : 1 }
    }

    /// `weights` quantised to `int8` codes in -127...127 with one scale per index along
    /// `channelAxis` (``WeightQuantization``'s rounding) and dequantised. The gradient is 1 for a
    /// weight whose code was not clipped to ±127 (only possible with scales frozen earlier).
    public static func weights(_ weights: Tensor, scales: [Float], channelAxis: Int) -> Tensor {
        let (outer, channels, inner) = layout(weights.shape, channelAxis)
        precondition(scales.count == channels, "FakeQuantization.weights: \(scales.count) scales for \(channels) channels")
        let kept = Tensor(uninitializedShape: weights.shape, backend: weights.backend)
        let rest = Tensor(uninitializedShape: weights.shape, backend: weights.backend)
        let w = weights.floats, m = kept.floats, r = rest.floats
        for o in 0..<outer { for n in 0..<channels { for i in 0..<inner {
            let k = (o * channels + n) * inner + i
            let code = (w[k] / scales[n]).rounded(.toNearestOrEven)
            let inside = code >= -127 && code <= 127
            let value = Swift.max(-127, Swift.min(127, code)) * scales[n]
            m[k] = inside ? 1 : 0
            r[k] = value - (inside ? w[k] : 0)
        } } }
        return weights * kept + rest
    }

    /// Sizes before, along and after `axis` of `shape`.
    static func layout(_ shape: [Int], _ axis: Int) -> (outer: Int, channels: Int, inner: Int) {
        precondition(axis >= 0 && axis < shape.count, "FakeQuantization: channel axis \(axis) for shape \(shape)")
        return (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }
}
