import LeptonTensor

/// One inference step of a recurrent cell on one batch row, in float32, after the int8 products:
/// the same arithmetic as LeptonTensor's fused float op (`recurrentSequence`), with its
/// `RecurrentMath` sigmoid and tanh, so a dynamic layer differs from the float one by its
/// quantisation only.
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

    private static func sigmoid(_ p: UnsafeMutablePointer<Float>, _ n: Int) { RecurrentMath.sigmoid(p, n) }
    private static func tanh(_ p: UnsafeMutablePointer<Float>, _ n: Int) { RecurrentMath.tanh(p, n) }
}
