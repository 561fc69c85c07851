import Foundation

/// Dense linear algebra for ``GaussianProcess``: a symmetric positive-definite n × n matrix
/// (row-major) factored as L Lᵀ, triangular solves and the inverse from the factor. The
/// matrices are trials × trials, small, so plain loops over contiguous rows suffice.
enum Cholesky {
    /// The lower factor L of a symmetric positive-definite n × n matrix (L Lᵀ = a), or nil
    /// when it is not positive definite (or not finite).
    static func factor(_ a: [Double], _ n: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        let ok = l.withUnsafeMutableBufferPointer { l -> Bool in
            a.withUnsafeBufferPointer { a in
                for j in 0..<n {
                    var diagonal = a[j * n + j]
                    for k in 0..<j { diagonal -= l[j * n + k] * l[j * n + k] }
                    guard diagonal > 0, diagonal.isFinite else { return false }
                    let root = diagonal.squareRoot()
                    l[j * n + j] = root
                    for i in (j + 1)..<max(n, j + 1) {
                        var s = a[i * n + j]
                        for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                        l[i * n + j] = s / root
                    }
                }
                return true
            }
        }
        return ok ? l : nil
    }

    /// Solves L z = b for lower-triangular L.
    static func solveLower(_ l: [Double], _ n: Int, _ b: [Double]) -> [Double] {
        var z = b
        l.withUnsafeBufferPointer { l in
            for i in 0..<n {
                var s = z[i]
                for k in 0..<i { s -= l[i * n + k] * z[k] }
                z[i] = s / l[i * n + i]
            }
        }
        return z
    }

    /// Solves Lᵀ z = b for lower-triangular L.
    static func solveUpper(_ l: [Double], _ n: Int, _ b: [Double]) -> [Double] {
        var z = b
        l.withUnsafeBufferPointer { l in
            for i in stride(from: n - 1, through: 0, by: -1) {
                var s = z[i]
                for k in (i + 1)..<max(n, i + 1) { s -= l[k * n + i] * z[k] }
                z[i] = s / l[i * n + i]
            }
        }
        return z
    }

    /// (L Lᵀ)⁻¹ from the lower factor L, row-major n × n (symmetric).
    static func inverse(_ l: [Double], _ n: Int) -> [Double] {
        // M = L⁻¹ (lower triangular), column by column: L m_j = e_j.
        var m = [Double](repeating: 0, count: n * n)
        l.withUnsafeBufferPointer { l in
            m.withUnsafeMutableBufferPointer { m in
                for j in 0..<n {
                    m[j * n + j] = 1 / l[j * n + j]
                    for i in (j + 1)..<max(n, j + 1) {
                        var s = 0.0
                        for k in j..<i { s -= l[i * n + k] * m[k * n + j] }
                        m[i * n + j] = s / l[i * n + i]
                    }
                }
            }
        }
        // (L Lᵀ)⁻¹ = Mᵀ M: entry (i, j) = Σ_{k ≥ max(i, j)} M[k, i] M[k, j].
        var inverse = [Double](repeating: 0, count: n * n)
        m.withUnsafeBufferPointer { m in
            inverse.withUnsafeMutableBufferPointer { inverse in
                for k in 0..<n {
                    for i in 0...k {
                        let mki = m[k * n + i]
                        if mki == 0 { continue }
                        for j in 0...i { inverse[i * n + j] += mki * m[k * n + j] }
                    }
                }
                for i in 0..<n { for j in 0..<i { inverse[j * n + i] = inverse[i * n + j] } }
            }
        }
        return inverse
    }
}
