/// Serial loops for element-wise work over a sub-range; backends call them on the whole range
/// (reference) or on chunks from several threads (CPU).
enum ElementwiseKernels {
    static func fill(_ y: UnsafeMutablePointer<Float>, _ range: Range<Int>, _ value: Float) {
        for i in range { y[i] = value }
    }

    static func unary(_ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        @inline(__always) func run(_ f: (Float) -> Float) {
            for i in range { y[i] = f(x[i]) }
        }
        switch op {
        case .relu: run { $0 > 0 ? $0 : 0 }
        case .neg: run { -$0 }
        case .square: run { $0 * $0 }
        case .abs: run { Swift.abs($0) }
        case .affine(let s, let t): run { s * $0 + t }
        case .clamp(let lo, let hi): run { Swift.min(Swift.max($0, lo), hi) }
        case .leakyRelu(let s): run { $0 < 0 ? s * $0 : $0 }
        case .sqrt: run { $0.squareRoot() }
        default: run { ScalarMath.apply(op, $0) }
        }
    }

    static func unaryBackward(_ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                              _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        switch op {
        case .relu:
            // Both loads unconditional: a load under the condition keeps the loop scalar and branchy.
            for i in range { let g = dy[i], v = x[i]; dx[i] = v > 0 ? g : 0 }
        case .sigmoid: for i in range { dx[i] = dy[i] * y[i] * (1 - y[i]) }
        case .tanh: for i in range { dx[i] = dy[i] * (1 - y[i] * y[i]) }
        case .neg: for i in range { dx[i] = -dy[i] }
        case .affine(let s, _): for i in range { dx[i] = dy[i] * s }
        default: for i in range { dx[i] = dy[i] * ScalarMath.derivative(op, x[i], y[i]) }
        }
    }

    /// Rows `rows` of a binary op over a simplified layout (operands 0 = a, 1 = b).
    static func binary(_ op: BinaryOp, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                       _ out: UnsafeMutablePointer<Float>, _ layout: StridedLayout, _ rows: Range<Int>) {
        let n = layout.columns
        let sa = layout.innerStride(0), sb = layout.innerStride(1)
        var offsets = [0, 0]
        @inline(__always) func run(_ f: (Float, Float) -> Float) {
            for row in rows {
                layout.offsets(row: row, into: &offsets)
                let pa = a + offsets[0], pb = b + offsets[1], po = out + row * n
                if sa == 1 && sb == 1 {
                    for i in 0..<n { po[i] = f(pa[i], pb[i]) }
                } else if sa == 1 && sb == 0 {
                    let vb = pb[0]
                    for i in 0..<n { po[i] = f(pa[i], vb) }
                } else if sa == 0 && sb == 1 {
                    let va = pa[0]
                    for i in 0..<n { po[i] = f(va, pb[i]) }
                } else {
                    for i in 0..<n { po[i] = f(pa[i * sa], pb[i * sb]) }
                }
            }
        }
        switch op {
        case .add: run(+)
        case .sub: run(-)
        case .mul: run(*)
        case .div: run(/)
        default: run { ScalarMath.apply(op, $0, $1) }
        }
    }

    /// Rows of `out = cond ≠ 0 ? a : b` over a simplified layout (operands: cond, a, b).
    static func select(_ c: UnsafePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                       _ out: UnsafeMutablePointer<Float>, _ layout: StridedLayout, _ rows: Range<Int>) {
        let n = layout.columns
        let sc = layout.innerStride(0), sa = layout.innerStride(1), sb = layout.innerStride(2)
        var offsets = [0, 0, 0]
        for row in rows {
            layout.offsets(row: row, into: &offsets)
            let pc = c + offsets[0], pa = a + offsets[1], pb = b + offsets[2], po = out + row * n
            for i in 0..<n { po[i] = pc[i * sc] != 0 ? pa[i * sa] : pb[i * sb] }
        }
    }

    /// Rows of a strided copy of `E`-sized elements into contiguous `y` (operand 0 = x).
    static func copy<E>(_ x: UnsafePointer<E>, _ y: UnsafeMutablePointer<E>, _ layout: StridedLayout, _ rows: Range<Int>) {
        let n = layout.columns
        let sx = layout.innerStride(0)
        var offsets = [0]
        for row in rows {
            layout.offsets(row: row, into: &offsets)
            let px = x + offsets[0], py = y + row * n
            if sx == 1 {
                py.update(from: px, count: n)
            } else {
                for i in 0..<n { py[i] = px[i * sx] }
            }
        }
    }

    /// Rows of a write of contiguous `x` into the strided positions of `y` (operand 0 = y).
    static func copyInto<E>(_ x: UnsafePointer<E>, _ y: UnsafeMutablePointer<E>, _ layout: StridedLayout, _ rows: Range<Int>) {
        let n = layout.columns
        let sy = layout.innerStride(0)
        var offsets = [0]
        for row in rows {
            layout.offsets(row: row, into: &offsets)
            let px = x + row * n, py = y + offsets[0]
            if sy == 1 {
                py.update(from: px, count: n)
            } else {
                for i in 0..<n { py[i * sy] = px[i] }
            }
        }
    }

    /// Strided writes with element type chosen from its byte size.
    static func copyInto(_ x: UnsafeRawPointer, _ y: UnsafeMutableRawPointer, elementSize: Int,
                         _ layout: StridedLayout, _ rows: Range<Int>) {
        switch elementSize {
        case 4: copyInto(x.assumingMemoryBound(to: UInt32.self), y.assumingMemoryBound(to: UInt32.self), layout, rows)
        case 1: copyInto(x.assumingMemoryBound(to: UInt8.self), y.assumingMemoryBound(to: UInt8.self), layout, rows)
        default: fatalError("copyIntoStrided: element size \(elementSize) is not supported (expected 1 or 4)")
        }
    }

    /// Copies with element type `E` chosen from its byte size.
    static func copy(_ x: UnsafeRawPointer, _ y: UnsafeMutableRawPointer, elementSize: Int,
                     _ layout: StridedLayout, _ rows: Range<Int>) {
        switch elementSize {
        case 4: copy(x.assumingMemoryBound(to: UInt32.self), y.assumingMemoryBound(to: UInt32.self), layout, rows)
        case 1: copy(x.assumingMemoryBound(to: UInt8.self), y.assumingMemoryBound(to: UInt8.self), layout, rows)
        default: fatalError("copyStrided: element size \(elementSize) is not supported (expected 1 or 4)")
        }
    }

    static func convert(_ x: UnsafeRawPointer, from: DType, _ y: UnsafeMutableRawPointer, to: DType, _ range: Range<Int>) {
        func read(_ i: Int) -> Float {
            switch from {
            case .float32: return x.load(fromByteOffset: i * 4, as: Float.self)
            case .int32: return Float(x.load(fromByteOffset: i * 4, as: Int32.self))
            case .int8: return Float(x.load(fromByteOffset: i, as: Int8.self))
            }
        }
        for i in range {
            let v = read(i)
            switch to {
            case .float32: y.storeBytes(of: v, toByteOffset: i * 4, as: Float.self)
            case .int32:
                let t = v.isNaN ? 0 : Swift.max(Swift.min(v.rounded(.towardZero), 2_147_483_520), -2_147_483_648)
                y.storeBytes(of: Int32(t), toByteOffset: i * 4, as: Int32.self)
            case .int8:
                let t = v.isNaN ? 0 : Swift.max(Swift.min(v.rounded(.towardZero), 127), -128)
                y.storeBytes(of: Int8(t), toByteOffset: i, as: Int8.self)
            }
        }
    }
}
