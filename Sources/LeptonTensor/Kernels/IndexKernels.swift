/// Loops for index-select, gather and their scatter-add gradients over `[outer, axis, inner]`
/// views. Indices are checked by the ops before they reach a kernel.
enum IndexKernels {
    static func indexSelect(_ x: UnsafeRawPointer, axis: Int, inner: Int, elementSize: Int,
                            _ index: UnsafePointer<Int32>, count: Int, _ out: UnsafeMutableRawPointer,
                            _ outer: Range<Int>) {
        let rowBytes = inner * elementSize
        for o in outer {
            for j in 0..<count {
                let src = x + (o * axis + Int(index[j])) * rowBytes
                (out + (o * count + j) * rowBytes).copyMemory(from: src, byteCount: rowBytes)
            }
        }
    }

    static func indexAdd(_ src: UnsafePointer<Float>, axis: Int, inner: Int, _ index: UnsafePointer<Int32>,
                         count: Int, _ out: UnsafeMutablePointer<Float>, _ outer: Range<Int>) {
        for o in outer {
            for j in 0..<count {
                let s = src + (o * count + j) * inner
                let d = out + (o * axis + Int(index[j])) * inner
                for i in 0..<inner { d[i] += s[i] }
            }
        }
    }

    static func gather(_ x: UnsafePointer<Float>, axis: Int, inner: Int, _ index: UnsafePointer<Int32>,
                       count: Int, _ out: UnsafeMutablePointer<Float>, _ outer: Range<Int>) {
        for o in outer {
            for j in 0..<count {
                for i in 0..<inner {
                    let k = (o * count + j) * inner + i
                    out[k] = x[(o * axis + Int(index[k])) * inner + i]
                }
            }
        }
    }

    static func scatterAdd(_ src: UnsafePointer<Float>, axis: Int, inner: Int, _ index: UnsafePointer<Int32>,
                           count: Int, _ out: UnsafeMutablePointer<Float>, _ outer: Range<Int>) {
        for o in outer {
            for j in 0..<count {
                for i in 0..<inner {
                    let k = (o * count + j) * inner + i
                    out[(o * axis + Int(index[k])) * inner + i] += src[k]
                }
            }
        }
    }
}
