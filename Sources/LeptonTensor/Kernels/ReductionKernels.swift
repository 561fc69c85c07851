import Foundation

/// Serial loops for reductions and softmax over `[outer, reduced, inner]` views, on a range
/// of `outer` positions.
enum ReductionKernels {
    static func reduce(_ op: ReduceOp, _ x: UnsafePointer<Float>, reduced r: Int, inner: Int,
                       _ out: UnsafeMutablePointer<Float>, _ outer: Range<Int>) {
        for o in outer {
            let px = x + o * r * inner, po = out + o * inner
            if inner == 1 {
                po[0] = reduceRow(op, px, r)
                continue
            }
            guard r > 0 else {
                for i in 0..<inner { po[i] = op == .sum ? 0 : (op == .max ? -.infinity : .infinity) }
                continue
            }
            po.update(from: px, count: inner)
            for k in 1..<r {
                let row = px + k * inner
                switch op {
                case .sum: for i in 0..<inner { po[i] += row[i] }
                case .max: for i in 0..<inner where !(row[i] <= po[i]) { po[i] = row[i] }
                case .min: for i in 0..<inner where !(row[i] >= po[i]) { po[i] = row[i] }
                }
            }
        }
    }

    /// Reduces `n` contiguous floats; sums use eight lanes for speed and accuracy.
    @inline(__always)
    static func reduceRow(_ op: ReduceOp, _ p: UnsafePointer<Float>, _ n: Int) -> Float {
        switch op {
        case .sum:
            var acc = SIMD8<Float>()
            var i = 0
            while i + 8 <= n {
                acc += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
                i += 8
            }
            var s = acc.sum()
            while i < n { s += p[i]; i += 1 }
            return s
        case .max:
            var m = -Float.infinity
            for i in 0..<n where !(p[i] <= m) { m = p[i] }
            return m
        case .min:
            var m = Float.infinity
            for i in 0..<n where !(p[i] >= m) { m = p[i] }
            return m
        }
    }

    static func argReduce(max: Bool, _ x: UnsafePointer<Float>, reduced r: Int, inner: Int,
                          _ out: UnsafeMutablePointer<Int32>, _ outer: Range<Int>) {
        for o in outer {
            for i in 0..<inner {
                let p = x + o * r * inner + i
                var best = p[0], bestIndex = 0
                for k in 1..<Swift.max(r, 1) {
                    let v = p[k * inner]
                    if best.isNaN { break }
                    if v.isNaN || (max ? v > best : v < best) { best = v; bestIndex = k }
                }
                out[o * inner + i] = Int32(bestIndex)
            }
        }
    }

    static func softmax(log: Bool, _ x: UnsafePointer<Float>, reduced r: Int, inner: Int,
                        _ y: UnsafeMutablePointer<Float>, _ outer: Range<Int>) {
        for o in outer {
            for i in 0..<inner {
                let px = x + o * r * inner + i, py = y + o * r * inner + i
                var m = -Float.infinity
                for k in 0..<r where px[k * inner] > m { m = px[k * inner] }
                if m == -.infinity { m = 0 }
                var s: Float = 0
                for k in 0..<r {
                    let e = Foundation.exp(px[k * inner] - m)
                    py[k * inner] = e
                    s += e
                }
                if log {
                    // (x − m) − log s: adding m to log s first would round it at m's magnitude.
                    let ls = Foundation.log(s)
                    for k in 0..<r { py[k * inner] = (px[k * inner] - m) - ls }
                } else {
                    let inv = 1 / s
                    for k in 0..<r { py[k * inner] *= inv }
                }
            }
        }
    }

    static func softmaxBackward(log: Bool, _ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, reduced r: Int,
                                inner: Int, _ dx: UnsafeMutablePointer<Float>, _ outer: Range<Int>) {
        for o in outer {
            for i in 0..<inner {
                let base = o * r * inner + i
                let py = y + base, pdy = dy + base, pdx = dx + base
                if log {
                    // dx = dy − softmax · Σ dy
                    var s: Float = 0
                    for k in 0..<r { s += pdy[k * inner] }
                    for k in 0..<r { pdx[k * inner] = pdy[k * inner] - Foundation.exp(py[k * inner]) * s }
                } else {
                    // dx = y · (dy − Σ y·dy)
                    var s: Float = 0
                    for k in 0..<r { s += py[k * inner] * pdy[k * inner] }
                    for k in 0..<r { pdx[k * inner] = py[k * inner] * (pdy[k * inner] - s) }
                }
            }
        }
    }
}
