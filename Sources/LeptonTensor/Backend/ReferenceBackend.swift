import Foundation

/// The plain-Swift backend: serial loops written for clarity, a naive matrix product and a
/// direct convolution. It is the definition the fast backend is tested against, and a
/// starting point for a new backend.
public final class ReferenceBackend: Backend, @unchecked Sendable {
    /// The shared instance.
    public static let shared = ReferenceBackend()

    public init() {}

    public var name: String { "reference" }

    public func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
    }

    public func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        pointer.deallocate()
    }

    public func fill(_ y: UnsafeMutablePointer<Float>, count: Int, value: Float) {
        ElementwiseKernels.fill(y, 0..<count, value)
    }

    public func copyStrided(_ x: UnsafeRawPointer, strides: [Int], shape: [Int], elementSize: Int,
                            into y: UnsafeMutableRawPointer) {
        let layout = StridedLayout(shape: shape, strides: [strides])
        ElementwiseKernels.copy(x, y, elementSize: elementSize, layout, 0..<layout.rows)
    }

    public func copyIntoStrided(_ x: UnsafeRawPointer, _ y: UnsafeMutableRawPointer, strides: [Int], shape: [Int],
                                elementSize: Int) {
        let layout = StridedLayout(shape: shape, strides: [strides])
        ElementwiseKernels.copyInto(x, y, elementSize: elementSize, layout, 0..<layout.rows)
    }

    public func unary(_ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] = ScalarMath.apply(op, x[i]) }
    }

    public func unaryBackward(_ op: UnaryOp, x: UnsafePointer<Float>, y: UnsafePointer<Float>,
                              dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { dx[i] = dy[i] * ScalarMath.derivative(op, x[i], y[i]) }
    }

    public func binary(_ op: BinaryOp, _ a: UnsafePointer<Float>, aStrides: [Int], _ b: UnsafePointer<Float>,
                       bStrides: [Int], _ out: UnsafeMutablePointer<Float>, shape: [Int]) {
        var index = [Int](repeating: 0, count: shape.count)
        for i in 0..<Shape.count(shape) {
            var ia = 0, ib = 0
            for d in 0..<shape.count { ia += index[d] * aStrides[d]; ib += index[d] * bStrides[d] }
            out[i] = ScalarMath.apply(op, a[ia], b[ib])
            Self.increment(&index, shape)
        }
    }

    public func select(_ cond: UnsafePointer<Float>, condStrides: [Int], _ a: UnsafePointer<Float>, aStrides: [Int],
                       _ b: UnsafePointer<Float>, bStrides: [Int], _ out: UnsafeMutablePointer<Float>, shape: [Int]) {
        var index = [Int](repeating: 0, count: shape.count)
        for i in 0..<Shape.count(shape) {
            var ic = 0, ia = 0, ib = 0
            for d in 0..<shape.count {
                ic += index[d] * condStrides[d]; ia += index[d] * aStrides[d]; ib += index[d] * bStrides[d]
            }
            out[i] = cond[ic] != 0 ? a[ia] : b[ib]
            Self.increment(&index, shape)
        }
    }

    public func convert(_ x: UnsafeRawPointer, from: DType, _ y: UnsafeMutableRawPointer, to: DType, count: Int) {
        ElementwiseKernels.convert(x, from: from, y, to: to, 0..<count)
    }

    public func reduce(_ op: ReduceOp, _ x: UnsafePointer<Float>, outer: Int, reduced: Int, inner: Int,
                       _ out: UnsafeMutablePointer<Float>) {
        for o in 0..<outer {
            for i in 0..<inner {
                var acc: Float = op == .sum ? 0 : (op == .max ? -.infinity : .infinity)
                for k in 0..<reduced {
                    let v = x[(o * reduced + k) * inner + i]
                    switch op {
                    case .sum: acc += v
                    case .max: if !(v <= acc) { acc = v }
                    case .min: if !(v >= acc) { acc = v }
                    }
                }
                out[o * inner + i] = acc
            }
        }
    }

    public func argReduce(max: Bool, _ x: UnsafePointer<Float>, outer: Int, reduced: Int, inner: Int,
                          _ out: UnsafeMutablePointer<Int32>) {
        ReductionKernels.argReduce(max: max, x, reduced: reduced, inner: inner, out, 0..<outer)
    }

    public func softmax(log: Bool, _ x: UnsafePointer<Float>, outer: Int, reduced: Int, inner: Int,
                        _ y: UnsafeMutablePointer<Float>) {
        ReductionKernels.softmax(log: log, x, reduced: reduced, inner: inner, y, 0..<outer)
    }

    public func softmaxBackward(log: Bool, y: UnsafePointer<Float>, dy: UnsafePointer<Float>, outer: Int,
                                reduced: Int, inner: Int, dx: UnsafeMutablePointer<Float>) {
        ReductionKernels.softmaxBackward(log: log, y, dy, reduced: reduced, inner: inner, dx, 0..<outer)
    }

    public func layerNorm(_ x: UnsafePointer<Float>, gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?,
                          rows: Int, cols: Int, epsilon: Float, _ y: UnsafeMutablePointer<Float>,
                          mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>) {
        LayerNormKernels.forward(x, gamma: gamma, beta: beta, cols: cols, epsilon: epsilon, y,
                                 mean: mean, rstd: rstd, 0..<rows)
    }

    public func layerNormBackward(_ x: UnsafePointer<Float>, dy: UnsafePointer<Float>, gamma: UnsafePointer<Float>?,
                                  mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, rows: Int, cols: Int,
                                  dx: UnsafeMutablePointer<Float>?, dgamma: UnsafeMutablePointer<Float>?,
                                  dbeta: UnsafeMutablePointer<Float>?) {
        LayerNormKernels.backward(x, dy, gamma: gamma, mean: mean, rstd: rstd, cols: cols,
                                  dx: dx, dgamma: dgamma, dbeta: dbeta, 0..<rows)
    }

    public func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                     _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var s: Double = 0
                for p in 0..<k {
                    let av = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let bv = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    s += Double(av) * Double(bv)
                }
                let prior = beta == 0 ? 0 : beta * c[i * ldc + j]
                c[i * ldc + j] = alpha * Float(s) + prior
            }
        }
    }

    public func conv2d(_ p: Conv2DParameters, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                       _ y: UnsafeMutablePointer<Float>) {
        y.update(repeating: 0, count: p.batch * p.outChannels * p.outPlane)
        ConvKernels.forEachTap(p, images: 0..<p.batch) { i, k, o in y[o] += x[i] * w[k] }
    }

    public func conv2dBackwardData(_ p: Conv2DParameters, _ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                                   _ dx: UnsafeMutablePointer<Float>) {
        dx.update(repeating: 0, count: p.batch * p.inChannels * p.height * p.width)
        ConvKernels.forEachTap(p, images: 0..<p.batch) { i, k, o in dx[i] += dy[o] * w[k] }
    }

    public func conv2dBackwardFilter(_ p: Conv2DParameters, _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                                     _ dw: UnsafeMutablePointer<Float>) {
        dw.update(repeating: 0, count: p.outChannels * p.patchSize)
        ConvKernels.forEachTap(p, images: 0..<p.batch) { i, k, o in dw[k] += x[i] * dy[o] }
    }

    public func pool2d(_ p: Pool2DParameters, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                       indices: UnsafeMutablePointer<Int32>?) {
        PoolKernels.forward(p, x, y, indices, 0..<p.planes)
    }

    public func pool2dBackward(_ p: Pool2DParameters, _ dy: UnsafePointer<Float>, indices: UnsafePointer<Int32>?,
                               _ dx: UnsafeMutablePointer<Float>) {
        PoolKernels.backward(p, dy, indices, dx, 0..<p.planes)
    }

    public func conv2dNHWC(_ p: Conv2DParameters, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                           bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>) {
        let rows = p.batch * p.outPlane
        let full = p.fusedMaxPool ? UnsafeMutablePointer<Float>.allocate(capacity: rows * p.outChannels) : y
        defer { if p.fusedMaxPool { full.deallocate() } }
        for r in 0..<rows {
            for o in 0..<p.outChannels { full[r * p.outChannels + o] = bias?[o] ?? 0 }
        }
        ChannelsLastKernels.forEachTap(p) { i, k, o in full[o] += x[i] * w[k] }
        if p.fusedReLU { ElementwiseKernels.unary(.relu, full, full, 0..<(rows * p.outChannels)) }
        if p.fusedMaxPool {
            ChannelsLastKernels.poolForward(p.fusedPool(images: p.batch, rows: p.outHeight), channels: p.outChannels, full, y, nil,
                                            0..<p.batch)
        }
    }

    public func conv2dNHWCBackwardData(_ p: Conv2DParameters, _ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                                       _ dx: UnsafeMutablePointer<Float>) {
        dx.update(repeating: 0, count: p.batch * p.height * p.width * p.inChannels)
        ChannelsLastKernels.forEachTap(p) { i, k, o in dx[i] += dy[o] * w[k] }
    }

    public func conv2dNHWCBackwardFilter(_ p: Conv2DParameters, _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                                         _ dw: UnsafeMutablePointer<Float>) {
        dw.update(repeating: 0, count: p.outChannels * p.patchSize)
        ChannelsLastKernels.forEachTap(p) { i, k, o in dw[k] += x[i] * dy[o] }
    }

    public func pool2dNHWC(_ p: Pool2DParameters, channels: Int, _ x: UnsafePointer<Float>,
                           _ y: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>?) {
        ChannelsLastKernels.poolForward(p, channels: channels, x, y, indices, 0..<p.planes)
    }

    public func pool2dNHWCBackward(_ p: Pool2DParameters, channels: Int, _ dy: UnsafePointer<Float>,
                                   indices: UnsafePointer<Int32>?, _ dx: UnsafeMutablePointer<Float>) {
        ChannelsLastKernels.poolBackward(p, channels: channels, dy, indices, dx, 0..<p.planes)
    }

    public func adamUpdate(_ p: AdamParameters, parameter: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>,
                           m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int) {
        OptimizerKernels.adam(p, parameter, gradient, m, v, 0..<count)
    }

    public func indexSelect(_ x: UnsafeRawPointer, outer: Int, axis: Int, inner: Int, elementSize: Int,
                            index: UnsafePointer<Int32>, count: Int, _ out: UnsafeMutableRawPointer) {
        IndexKernels.indexSelect(x, axis: axis, inner: inner, elementSize: elementSize, index, count: count, out, 0..<outer)
    }

    public func indexAdd(_ src: UnsafePointer<Float>, outer: Int, axis: Int, inner: Int,
                         index: UnsafePointer<Int32>, count: Int, _ out: UnsafeMutablePointer<Float>) {
        IndexKernels.indexAdd(src, axis: axis, inner: inner, index, count: count, out, 0..<outer)
    }

    public func gather(_ x: UnsafePointer<Float>, outer: Int, axis: Int, inner: Int,
                       index: UnsafePointer<Int32>, count: Int, _ out: UnsafeMutablePointer<Float>) {
        IndexKernels.gather(x, axis: axis, inner: inner, index, count: count, out, 0..<outer)
    }

    public func scatterAdd(_ src: UnsafePointer<Float>, outer: Int, axis: Int, inner: Int,
                           index: UnsafePointer<Int32>, count: Int, _ out: UnsafeMutablePointer<Float>) {
        IndexKernels.scatterAdd(src, axis: axis, inner: inner, index, count: count, out, 0..<outer)
    }

    @inline(__always)
    static func increment(_ index: inout [Int], _ shape: [Int]) {
        var d = shape.count - 1
        while d >= 0 {
            index[d] += 1
            if index[d] < shape[d] { return }
            index[d] = 0
            d -= 1
        }
    }
}
