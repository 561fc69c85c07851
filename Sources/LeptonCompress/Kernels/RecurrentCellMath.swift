import LeptonTensor

/// One inference step of a recurrent cell on one batch row, in float32, after the int8 products:
/// the same arithmetic as LeptonTensor's fused float op (`recurrentSequence`), with the same
/// Cephes `exp`, so a dynamic layer differs from the float one by its quantisation only.
enum RecurrentCellMath {
    /// Updates `h` (and `c` for the LSTM) from `z` (the recurrent product with its bias,
    /// `[gates·units]`, overwritten) and `x` (the input projection with its bias).
    @inline(__always)
    static func step(_ cell: RecurrentCell, z: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>,
                     h: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>?, units U: Int) {
        switch cell {
        case .rnnTanh, .rnnRelu:
            for u in 0..<U { z[u] += x[u] }
            if cell == .rnnTanh { tanh(z, U) } else { for u in 0..<U { z[u] = Swift.max(z[u], 0) } }
            h.update(from: z, count: U)
        case .lstm:
            let c = c!
            for j in 0..<(4 * U) { z[j] += x[j] }
            sigmoid(z, 2 * U)
            tanh(z + 2 * U, U)
            sigmoid(z + 3 * U, U)
            for u in 0..<U { c[u] = z[U + u] * c[u] + z[u] * z[2 * U + u] }
            let tc = z + 2 * U   // the candidate is used up: tanh(c') goes there
            tc.update(from: c, count: U)
            tanh(tc, U)
            for u in 0..<U { h[u] = z[3 * U + u] * tc[u] }
        case .gru:
            // z holds [h·W_z + b̂_z, h·W_r + b̂_r, h·W_n + b̂_n].
            for j in 0..<(2 * U) { z[j] += x[j] }
            sigmoid(z, 2 * U)
            let n = z + 2 * U
            for u in 0..<U { n[u] = x[2 * U + u] + z[U + u] * n[u] }
            tanh(n, U)
            for u in 0..<U { h[u] = z[u] * h[u] + (1 - z[u]) * n[u] }
        }
    }

    /// `eˣ` to float32 accuracy (the float op's Cephes polynomial, written so loops vectorise).
    @inline(__always)
    static func exp(_ v: Float) -> Float {
        let x0 = Swift.min(Swift.max(v, -87.3), 88.3)
        let magic: Float = 12_582_912   // 1.5·2²³: adding it rounds to an integer
        let shifted = x0 * 1.44269504088896341 + magic
        let fx = shifted - magic
        let n = Int32(bitPattern: shifted.bitPattern) &- Int32(bitPattern: magic.bitPattern)
        var x = x0 - fx * 0.693359375
        x = x + fx * 2.12194440e-4
        var p: Float = 1.9875691500e-4
        p = p * x + 1.3981999507e-3
        p = p * x + 8.3334519073e-3
        p = p * x + 4.1665795894e-2
        p = p * x + 1.6666665459e-1
        p = p * x + 5.0000001201e-1
        let y = p * (x * x) + x + 1
        return y * Float(bitPattern: UInt32(bitPattern: (n &+ 127) &<< 23))
    }

    /// Logistic sigmoid in place.
    static func sigmoid(_ p: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { p[i] = 1 / (1 + exp(-p[i])) }
    }

    /// Hyperbolic tangent in place.
    static func tanh(_ p: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n { p[i] = 1 - 2 / (exp(2 * p[i]) + 1) }
    }
}
