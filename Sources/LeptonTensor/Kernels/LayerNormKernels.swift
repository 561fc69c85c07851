import Foundation

/// Serial row loops for layer normalisation over the last axis: `x` is `[rows, cols]`,
/// contiguous, and each row is normalised on its own. Statistics are computed per row in
/// `Float` with two passes (the mean, then the centred variance) for accuracy.
enum LayerNormKernels {
    /// Sums `n` contiguous floats with eight lanes.
    @inline(__always)
    static func sum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            acc += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var s = acc.sum()
        while i < n { s += p[i]; i += 1 }
        return s
    }

    /// `Σ (p[i] − c)²` over `n` contiguous floats.
    @inline(__always)
    static func centeredSquares(_ p: UnsafePointer<Float>, _ n: Int, _ c: Float) -> Float {
        var acc = SIMD8<Float>()
        let cv = SIMD8<Float>(repeating: c)
        var i = 0
        while i + 8 <= n {
            let d = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self) - cv
            acc += d * d
            i += 8
        }
        var s = acc.sum()
        while i < n { let d = p[i] - c; s += d * d; i += 1 }
        return s
    }

    /// `y = (x − mean) · rstd · gamma + beta` for the rows in `range`; writes each row's mean
    /// and `rstd = 1 / √(var + ε)`.
    static func forward(_ x: UnsafePointer<Float>, gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?,
                        cols n: Int, epsilon: Float, _ y: UnsafeMutablePointer<Float>,
                        mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        let inv = 1 / Float(Swift.max(n, 1))
        for r in range {
            let px = x + r * n, py = y + r * n
            let m = sum(px, n) * inv
            let v = centeredSquares(px, n, m) * inv
            let s = 1 / (v + epsilon).squareRoot()
            mean[r] = m
            rstd[r] = s
            switch (gamma, beta) {
            case let (g?, b?):
                for i in 0..<n { py[i] = (px[i] - m) * s * g[i] + b[i] }
            case let (g?, nil):
                for i in 0..<n { py[i] = (px[i] - m) * s * g[i] }
            case let (nil, b?):
                for i in 0..<n { py[i] = (px[i] - m) * s + b[i] }
            case (nil, nil):
                for i in 0..<n { py[i] = (px[i] - m) * s }
            }
        }
    }

    /// The gradient for the rows in `range`: writes `dx` (when given) and adds the rows'
    /// contributions to `dgamma` (`Σ dy · x̂`) and `dbeta` (`Σ dy`) when given.
    ///
    /// With `x̂ = (x − mean) · rstd` and `g = dy · gamma`:
    /// `dx = rstd · (g − mean(g) − x̂ · mean(g · x̂))`.
    static func backward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, gamma: UnsafePointer<Float>?,
                         mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, cols n: Int,
                         dx: UnsafeMutablePointer<Float>?, dgamma: UnsafeMutablePointer<Float>?,
                         dbeta: UnsafeMutablePointer<Float>?, _ range: Range<Int>) {
        let inv = 1 / Float(Swift.max(n, 1))
        for r in range {
            let px = x + r * n, pg = dy + r * n
            let m = mean[r], s = rstd[r]
            if let dgamma {
                for i in 0..<n { dgamma[i] += pg[i] * (px[i] - m) * s }
            }
            if let dbeta {
                for i in 0..<n { dbeta[i] += pg[i] }
            }
            guard let dx else { continue }
            let pdx = dx + r * n
            // Row sums of g and g · x̂, eight lanes at a time.
            var a1 = SIMD8<Float>(), a2 = SIMD8<Float>()
            var sg: Float = 0, sgx: Float = 0
            var i = 0
            if let gamma {
                let mv = SIMD8<Float>(repeating: m), sv = SIMD8<Float>(repeating: s)
                while i + 8 <= n {
                    let g = UnsafeRawPointer(pg + i).loadUnaligned(as: SIMD8<Float>.self)
                        * UnsafeRawPointer(gamma + i).loadUnaligned(as: SIMD8<Float>.self)
                    let xh = (UnsafeRawPointer(px + i).loadUnaligned(as: SIMD8<Float>.self) - mv) * sv
                    a1 += g
                    a2 += g * xh
                    i += 8
                }
                sg = a1.sum(); sgx = a2.sum()
                while i < n {
                    let g = pg[i] * gamma[i]
                    sg += g; sgx += g * (px[i] - m) * s
                    i += 1
                }
                let c1 = sg * inv, c2 = sgx * inv
                for j in 0..<n {
                    let xh = (px[j] - m) * s
                    pdx[j] = s * (pg[j] * gamma[j] - c1 - xh * c2)
                }
            } else {
                let mv = SIMD8<Float>(repeating: m), sv = SIMD8<Float>(repeating: s)
                while i + 8 <= n {
                    let g = UnsafeRawPointer(pg + i).loadUnaligned(as: SIMD8<Float>.self)
                    let xh = (UnsafeRawPointer(px + i).loadUnaligned(as: SIMD8<Float>.self) - mv) * sv
                    a1 += g
                    a2 += g * xh
                    i += 8
                }
                sg = a1.sum(); sgx = a2.sum()
                while i < n {
                    let g = pg[i]
                    sg += g; sgx += g * (px[i] - m) * s
                    i += 1
                }
                let c1 = sg * inv, c2 = sgx * inv
                for j in 0..<n {
                    let xh = (px[j] - m) * s
                    pdx[j] = s * (pg[j] - c1 - xh * c2)
                }
            }
        }
    }
}
