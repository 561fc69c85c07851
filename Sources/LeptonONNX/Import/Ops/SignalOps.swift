import Foundation
import LeptonTensor

/// Signal processing: `DFT` (forward, inverse, one-sided, any axis, zero-padding to
/// `dft_length`), `STFT`, the `HannWindow`, `HammingWindow` and `BlackmanWindow` generators
/// and `MelWeightMatrix`. Complex values are a trailing axis of 2 (real, imaginary), as in
/// ONNX. Computed on the host in doubles (direct transforms, O(n²) per signal).
extension ONNXOperators {
    static var signal: [String: ONNXKernelBuilder] {
        [
            "DFT": dft, "STFT": stft, "MelWeightMatrix": melWeightMatrix,
            "HannWindow": window { n, N in Foundation.pow(Foundation.sin(Double.pi * n / N), 2) },
            "HammingWindow": window { n, N in 25.0 / 46.0 - cos(2 * Double.pi * n / N) * (21.0 / 46.0) },
            "BlackmanWindow": window { n, N in 0.42 - 0.5 * cos(2 * Double.pi * n / N) + 0.08 * cos(4 * Double.pi * n / N) },
        ]
    }

    /// One complex transform of `signal` to `n` points: forward, inverse (scaled by 1/n), or the
    /// inverse of a one-sided spectrum giving a real signal (NumPy's `irfft`).
    static func transform(_ signal: [(Double, Double)], n: Int, inverse: Bool, halfSpectrum: Bool) -> [(Double, Double)] {
        var x = Array(signal.prefix(n))
        if halfSpectrum {
            // Rebuild the Hermitian spectrum from its first n/2 + 1 values.
            var full = [(Double, Double)](repeating: (0, 0), count: n)
            for k in 0..<Swift.min(n / 2 + 1, x.count) { full[k] = x[k] }
            full[0].1 = 0
            if n % 2 == 0 && n / 2 < full.count { full[n / 2].1 = 0 }
            for k in (n / 2 + 1)..<Swift.max(n, n / 2 + 1) where k < n { full[k] = (full[n - k].0, -full[n - k].1) }
            x = full
        }
        while x.count < n { x.append((0, 0)) }
        let sign = inverse ? 1.0 : -1.0
        return (0..<n).map { k in
            var (re, im) = (0.0, 0.0)
            for (t, (a, b)) in x.enumerated() {
                let angle = sign * 2 * Double.pi * Double((k * t) % n) / Double(n)
                let (c, s) = (cos(angle), sin(angle))
                re += a * c - b * s
                im += a * s + b * c
            }
            return inverse ? (re / Double(n), im / Double(n)) : (re, im)
        }
    }

    /// Applies ``transform(_:n:inverse:halfSpectrum:)`` along `axis` of `[…, c]` values (c = 1 or 2).
    static func transformAlong(_ x: ONNXValue, axis: Int, n: Int, inverse: Bool, onesided: Bool) throws -> ([Double], [Int]) {
        guard x.rank >= 2, x.shape.last == 1 || x.shape.last == 2 else {
            throw ONNXError("input \(x.shape) must end in a complex axis of 1 (real) or 2 (real, imaginary)")
        }
        let a = try resolveAxis(axis, rank: x.rank)
        guard a < x.rank - 1 else { throw ONNXError("axis \(axis) is the complex axis; expected a signal axis") }
        let c = x.shape.last!, length = x.shape[a]
        let outer = Shape.count(Array(x.shape[..<a])), inner = Shape.count(Array(x.shape[(a + 1)..<(x.rank - 1)]))
        let kept = inverse ? n : (onesided ? n / 2 + 1 : n)
        let outC = inverse && onesided ? 1 : 2
        var shape = x.shape
        shape[a] = kept
        shape[x.rank - 1] = outC
        _ = try ONNXLimits.count(shape, what: "DFT output")
        let values = x.doubles
        var out = [Double](repeating: 0, count: Shape.count(shape))
        for o in 0..<outer {
            for i in 0..<inner {
                let signal = (0..<length).map { t -> (Double, Double) in
                    let base = ((o * length + t) * inner + i) * c
                    return (values[base], c == 2 ? values[base + 1] : 0)
                }
                let result = transform(signal, n: n, inverse: inverse, halfSpectrum: inverse && onesided)
                for k in 0..<kept {
                    let base = ((o * kept + k) * inner + i) * outC
                    out[base] = result[k].0
                    if outC == 2 { out[base + 1] = result[k].1 }
                }
            }
        }
        return (out, shape)
    }

    static let dft: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...(ctx.opset >= 20 ? 3 : 2))
        let type = try ctx.type(0, in: ONNXElementType.floatingTypes)
        if ctx.has(1) { try ctx.type(1, in: [.int32, .int64]) }
        if ctx.has(2) { try ctx.type(2, in: [.int64]) }
        let inverse = try ctx.int("inverse", default: 0, in: 0...1) == 1, onesided = try ctx.int("onesided", default: 0, in: 0...1) == 1
        let attributeAxis = ctx.opset < 20 ? try ctx.int("axis", default: 1) : nil
        return ONNXKernel(type) { inputs in
            let x = inputs[0]!
            let axis = attributeAxis ?? (inputs.count > 2 ? inputs[2]?.ints.first : nil) ?? -2
            let a = try resolveAxis(axis, rank: x.rank)
            let n = (inputs.count > 1 ? inputs[1]?.ints.first : nil) ?? (inverse && onesided ? 2 * (x.shape[a] - 1) : x.shape[a])
            guard n > 0 else { throw ONNXError("dft_length \(n) must be positive") }
            let (out, shape) = try transformAlong(x, axis: a, n: n, inverse: inverse, onesided: onesided)
            return .fromDoubles(out, shape: shape, type: type)
        }
    }

    static let stft: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...4)
        let type = try ctx.type(0, in: ONNXElementType.floatingTypes)
        try ctx.type(1, in: [.int32, .int64])
        if ctx.has(2) { guard try ctx.type(2) == type else { throw ctx.error("window must have the signal's type") } }
        if ctx.has(3) { try ctx.type(3, in: [.int32, .int64]) }
        let onesided = try ctx.int("onesided", default: 1, in: 0...1) == 1
        return ONNXKernel(type) { inputs in
            let x = inputs[0]!
            guard x.rank == 3, x.shape[2] == 1 || x.shape[2] == 2 else { throw ONNXError("signal \(x.shape) must be [batch, length, 1 or 2]") }
            let step = inputs[1]!.ints.first ?? 0
            let window = inputs.count > 2 ? inputs[2]?.doubles : nil
            let frameLength = (inputs.count > 3 ? inputs[3]?.ints.first : nil) ?? window?.count ?? 0
            let weights = window ?? Array(repeating: 1, count: frameLength)
            let (batch, length, c) = (x.shape[0], x.shape[1], x.shape[2])
            guard step > 0, frameLength > 0, frameLength <= length, weights.count <= frameLength else {
                throw ONNXError("frame_step \(step) and frame_length \(frameLength) (window \(weights.count)) must be positive and fit the signal length \(length)")
            }
            let frames = 1 + (length - frameLength) / step
            let bins = onesided ? frameLength / 2 + 1 : frameLength
            _ = try ONNXLimits.count([batch, frames, bins, 2], what: "STFT output")
            let values = x.doubles
            var out = [Double]()
            out.reserveCapacity(batch * frames * bins * 2)
            for b in 0..<batch {
                for f in 0..<frames {
                    let signal = (0..<weights.count).map { t -> (Double, Double) in
                        let base = (b * length + f * step + t) * c
                        return (values[base] * weights[t], c == 2 ? values[base + 1] * weights[t] : 0)
                    }
                    for (re, im) in transform(signal, n: frameLength, inverse: false, halfSpectrum: false).prefix(bins) { out += [re, im] }
                }
            }
            return .fromDoubles(out, shape: [batch, frames, bins, 2], type: type)
        }
    }

    /// A window generator `w(n, N)` over `size` points (N = size, or size − 1 when not periodic).
    static func window(_ w: @escaping (Double, Double) -> Double) -> ONNXKernelBuilder {
        { ctx in
            try ctx.expect(inputs: 1...1)
            try ctx.type(0, in: [.int32, .int64])
            let periodic = try ctx.int("periodic", default: 1, in: 0...1) == 1
            let type = try ONNXElementType.from(Int32(clamping: try ctx.int("output_datatype", default: 1)), context: ctx.label)
            guard ONNXElementType.numericTypes.contains(type) else { throw ctx.error("output_datatype \(type) is not numeric") }
            return ONNXKernel(type) { inputs in
                guard let size = inputs[0]!.ints.first, size >= 0 else { throw ONNXError("size must be a non-negative scalar") }
                _ = try ONNXLimits.count([size], what: "window")
                let N = Double(periodic ? size : size - 1)
                return .fromDoubles((0..<size).map { w(Double($0), N) }, shape: [size], type: type)
            }
        }
    }

    static let melWeightMatrix: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 5...5)
        let type = try ONNXElementType.from(Int32(clamping: try ctx.int("output_datatype", default: 1)), context: ctx.label)
        guard ONNXElementType.numericTypes.contains(type) else { throw ctx.error("output_datatype \(type) is not numeric") }
        return ONNXKernel(type) { inputs in
            let mels = inputs[0]!.ints.first ?? 0, dftLength = inputs[1]!.ints.first ?? 0, rate = inputs[2]!.ints.first ?? 0
            let (low, high) = (inputs[3]!.doubles.first ?? 0, inputs[4]!.doubles.first ?? 0)
            guard mels > 0, dftLength > 0, rate > 0 else { throw ONNXError("num_mel_bins, dft_length and sample_rate must be positive") }
            let spectrumBins = dftLength / 2 + 1
            _ = try ONNXLimits.count([spectrumBins, mels], what: "MelWeightMatrix")
            let (lowMel, highMel) = (2595 * log10(1 + low / 700), 2595 * log10(1 + high / 700))
            let step = (highMel - lowMel) / Double(mels + 2)
            let edges = try (0..<(mels + 2)).map { i -> Int in
                let mel: Double = Double(i) * step + lowMel
                let hertz: Double = 700 * (Foundation.pow(10, mel / 2595) - 1)
                let bin: Double = Double(dftLength + 1) * hertz / Double(rate)
                return try ONNXLimits.integer(bin.rounded(.down), what: "mel edge bin (from lower/upper_edge_hertz)")
            }
            guard edges.allSatisfy({ $0 >= 0 && $0 < spectrumBins }) else { throw ONNXError("the mel edges fall outside the \(spectrumBins) spectrum bins") }
            var out = [Double](repeating: 0, count: spectrumBins * mels)
            for i in 0..<mels {
                let (left, center, right) = (edges[i], edges[i + 1], edges[i + 2])
                if center == left { out[center * mels + i] = 1 } else {
                    for j in left...center where j >= left { out[j * mels + i] = Double(j - left) / Double(center - left) }
                }
                if right > center { for j in center..<right { out[j * mels + i] = Double(right - j) / Double(right - center) } }
            }
            return .fromDoubles(out, shape: [spectrumBins, mels], type: type)
        }
    }
}
