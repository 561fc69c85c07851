import Foundation
import CKernels

/// The CPU backend: OpenBLAS's or oneDNN's `sgemm` (``GEMMLibrary``) for matrix products and
/// convolutions (im2col + GEMM), element-wise and reduction loops spread over
/// ``Lepton/threadCount`` threads, and a caching allocator that reuses large blocks between steps.
public final class CPUBackend: Backend, @unchecked Sendable {
    /// The shared instance, the default backend.
    public static let shared = CPUBackend()

    /// Element-wise work below this many elements per thread stays on one thread.
    static let elementGrain = 32_768
    let cache: BufferCache

    /// Creates a CPU backend whose allocator keeps at most `cacheLimitBytes` idle.
    public init(cacheLimitBytes: Int = 512 << 20) {
        cache = BufferCache(limitBytes: cacheLimitBytes)
    }

    public var name: String { "cpu" }

    /// Returns every idle cached block to the system.
    public func emptyCache() { cache.empty() }

    /// `count` uninitialised floats of kernel scratch (im2col columns, packed weights, partial
    /// sums) from the caching allocator, so that a model's every call reuses them instead of
    /// mapping fresh pages and faulting them in (half of a convolutional ONNX model's time).
    /// Give them back with ``release(_:floats:)``.
    func scratch(floats count: Int) -> UnsafeMutablePointer<Float> {
        allocate(byteCount: Swift.max(1, count) * MemoryLayout<Float>.stride).assumingMemoryBound(to: Float.self)
    }

    /// Returns scratch from ``scratch(floats:)``.
    func release(_ pointer: UnsafeMutablePointer<Float>, floats count: Int) {
        deallocate(pointer, byteCount: Swift.max(1, count) * MemoryLayout<Float>.stride)
    }

    public func allocate(byteCount: Int) -> UnsafeMutableRawPointer { cache.allocate(byteCount: byteCount) }

    public func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        cache.deallocate(pointer, byteCount: byteCount)
    }

    public func fill(_ y: UnsafeMutablePointer<Float>, count: Int, value: Float) {
        Parallel.forRanges(count, grain: Self.elementGrain) { ElementwiseKernels.fill(y, $0, value) }
    }

    public func copyStrided(_ x: UnsafeRawPointer, strides: [Int], shape: [Int], elementSize: Int,
                            into y: UnsafeMutableRawPointer) {
        let layout = StridedLayout(shape: shape, strides: [strides])
        Parallel.forRanges(layout.rows, grain: Self.rowGrain(layout)) {
            ElementwiseKernels.copy(x, y, elementSize: elementSize, layout, $0)
        }
    }

    public func copyIntoStrided(_ x: UnsafeRawPointer, _ y: UnsafeMutableRawPointer, strides: [Int], shape: [Int],
                                elementSize: Int) {
        let layout = StridedLayout(shape: shape, strides: [strides])
        Parallel.forRanges(layout.rows, grain: Self.rowGrain(layout)) {
            ElementwiseKernels.copyInto(x, y, elementSize: elementSize, layout, $0)
        }
    }

    public func unary(_ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        if op == .sigmoid || op == .silu || op == .tanh {
            // The C kernels' polynomial exponential, vectorised for the CPU (libm's `expf` one
            // element at a time was half of a YOLO model's time, its SiLUs).
            let path = KernelPath.current.code
            Parallel.forRanges(count, grain: Self.elementGrain) { r in
                let (from, to, n) = (x + r.lowerBound, y + r.lowerBound, Int64(r.count))
                switch op {
                case .silu: lepton_silu(path, from, to, n)
                case .tanh: lepton_tanh_precise(path, from, to, n)
                default: lepton_sigmoid(path, from, to, n)
                }
            }
            return
        }
        Parallel.forRanges(count, grain: Self.elementGrain) { ElementwiseKernels.unary(op, x, y, $0) }
    }

    public func unaryBackward(_ op: UnaryOp, x: UnsafePointer<Float>, y: UnsafePointer<Float>,
                              dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forRanges(count, grain: Self.elementGrain) { ElementwiseKernels.unaryBackward(op, x, y, dy, dx, $0) }
    }

    public func binary(_ op: BinaryOp, _ a: UnsafePointer<Float>, aStrides: [Int], _ b: UnsafePointer<Float>,
                       bStrides: [Int], _ out: UnsafeMutablePointer<Float>, shape: [Int]) {
        let layout = StridedLayout(shape: shape, strides: [aStrides, bStrides])
        if layout.rows == 1 {
            // One long row: split the row itself.
            let sa = layout.innerStride(0), sb = layout.innerStride(1)
            let one = StridedLayout(shape: [1], strides: [[0], [0]])
            Parallel.forRanges(layout.columns, grain: Self.elementGrain) { r in
                var sub = one
                sub.shape = [r.count]
                sub.strides = [[sa], [sb]]
                ElementwiseKernels.binary(op, a + r.lowerBound * sa, b + r.lowerBound * sb, out + r.lowerBound, sub, 0..<1)
            }
            return
        }
        Parallel.forRanges(layout.rows, grain: Self.rowGrain(layout)) {
            ElementwiseKernels.binary(op, a, b, out, layout, $0)
        }
    }

    public func select(_ cond: UnsafePointer<Float>, condStrides: [Int], _ a: UnsafePointer<Float>, aStrides: [Int],
                       _ b: UnsafePointer<Float>, bStrides: [Int], _ out: UnsafeMutablePointer<Float>, shape: [Int]) {
        let layout = StridedLayout(shape: shape, strides: [condStrides, aStrides, bStrides])
        Parallel.forRanges(layout.rows, grain: Self.rowGrain(layout)) {
            ElementwiseKernels.select(cond, a, b, out, layout, $0)
        }
    }

    public func convert(_ x: UnsafeRawPointer, from: DType, _ y: UnsafeMutableRawPointer, to: DType, count: Int) {
        Parallel.forRanges(count, grain: Self.elementGrain) { ElementwiseKernels.convert(x, from: from, y, to: to, $0) }
    }

    public func reduce(_ op: ReduceOp, _ x: UnsafePointer<Float>, outer: Int, reduced: Int, inner: Int,
                       _ out: UnsafeMutablePointer<Float>) {
        if outer == 1 && inner == 1 && op == .sum && reduced >= 2 * Self.elementGrain {
            // One long sum: partial sums per thread.
            let threads = Swift.max(1, Swift.min(Lepton.threadCount, reduced / Self.elementGrain))
            var partial = [Float](repeating: 0, count: threads)
            partial.withUnsafeMutableBufferPointer { part in
                Parallel.forRanges(threads, grain: 1) { ts in
                    for t in ts {
                        let lo = reduced * t / threads, hi = reduced * (t + 1) / threads
                        part[t] = ReductionKernels.reduceRow(.sum, x + lo, hi - lo)
                    }
                }
            }
            out[0] = partial.reduce(0, +)
            return
        }
        let rowThreads = Parallel.threads(for: reduced * inner, grain: 2 * Self.elementGrain)
        if outer == 1 && inner > 1 && rowThreads > 1 {
            // One slice of many wide rows (a bias gradient: [rows, features] → [features]):
            // each thread reduces a block of whole rows into its own partial row, then the
            // partial rows are combined.
            let partials = UnsafeMutablePointer<Float>.allocate(capacity: rowThreads * inner)
            defer { partials.deallocate() }
            Parallel.forRanges(rowThreads, grain: 1) { ts in
                for t in ts {
                    let lo = reduced * t / rowThreads, hi = reduced * (t + 1) / rowThreads
                    ReductionKernels.reduce(op, x + lo * inner, reduced: hi - lo, inner: inner, partials + t * inner, 0..<1)
                }
            }
            out.update(from: partials, count: inner)
            for t in 1..<rowThreads {
                let row = partials + t * inner
                switch op {
                case .sum: for i in 0..<inner { out[i] += row[i] }
                case .max: for i in 0..<inner where !(row[i] <= out[i]) { out[i] = row[i] }
                case .min: for i in 0..<inner where !(row[i] >= out[i]) { out[i] = row[i] }
                }
            }
            return
        }
        Parallel.forRanges(outer, grain: Swift.max(1, Self.elementGrain / Swift.max(1, reduced * inner))) {
            ReductionKernels.reduce(op, x, reduced: reduced, inner: inner, out, $0)
        }
    }

    public func argReduce(max: Bool, _ x: UnsafePointer<Float>, outer: Int, reduced: Int, inner: Int,
                          _ out: UnsafeMutablePointer<Int32>) {
        Parallel.forRanges(outer, grain: Swift.max(1, Self.elementGrain / Swift.max(1, reduced * inner))) {
            ReductionKernels.argReduce(max: max, x, reduced: reduced, inner: inner, out, $0)
        }
    }

    public func softmax(log: Bool, _ x: UnsafePointer<Float>, outer: Int, reduced: Int, inner: Int,
                        _ y: UnsafeMutablePointer<Float>) {
        Parallel.forRanges(outer, grain: Swift.max(1, 8192 / Swift.max(1, reduced * inner))) {
            ReductionKernels.softmax(log: log, x, reduced: reduced, inner: inner, y, $0)
        }
    }

    public func softmaxBackward(log: Bool, y: UnsafePointer<Float>, dy: UnsafePointer<Float>, outer: Int,
                                reduced: Int, inner: Int, dx: UnsafeMutablePointer<Float>) {
        Parallel.forRanges(outer, grain: Swift.max(1, 8192 / Swift.max(1, reduced * inner))) {
            ReductionKernels.softmaxBackward(log: log, y, dy, reduced: reduced, inner: inner, dx, $0)
        }
    }

    public func layerNorm(_ x: UnsafePointer<Float>, gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?,
                          rows: Int, cols: Int, epsilon: Float, _ y: UnsafeMutablePointer<Float>,
                          mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>) {
        Parallel.forRanges(rows, grain: Swift.max(1, 8192 / Swift.max(1, cols))) {
            LayerNormKernels.forward(x, gamma: gamma, beta: beta, cols: cols, epsilon: epsilon, y,
                                     mean: mean, rstd: rstd, $0)
        }
    }

    public func layerNormBackward(_ x: UnsafePointer<Float>, dy: UnsafePointer<Float>, gamma: UnsafePointer<Float>?,
                                  mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, rows: Int, cols: Int,
                                  dx: UnsafeMutablePointer<Float>?, dgamma: UnsafeMutablePointer<Float>?,
                                  dbeta: UnsafeMutablePointer<Float>?) {
        let grain = Swift.max(1, 8192 / Swift.max(1, cols))
        let threads = Swift.max(1, Swift.min(Lepton.threadCount, rows / grain))
        if threads == 1 || (dgamma == nil && dbeta == nil) {
            Parallel.forRanges(rows, grain: grain) {
                LayerNormKernels.backward(x, dy, gamma: gamma, mean: mean, rstd: rstd, cols: cols,
                                          dx: dx, dgamma: dgamma, dbeta: dbeta, $0)
            }
            return
        }
        // One partial dgamma and dbeta per thread, added in at the end.
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: 2 * cols * threads)
        defer { partials.deallocate() }
        partials.update(repeating: 0, count: 2 * cols * threads)
        Parallel.forRanges(threads, grain: 1) { ts in
            for t in ts {
                let lo = rows * t / threads, hi = rows * (t + 1) / threads
                let acc = partials + 2 * cols * t
                LayerNormKernels.backward(x, dy, gamma: gamma, mean: mean, rstd: rstd, cols: cols, dx: dx,
                                          dgamma: dgamma == nil ? nil : acc,
                                          dbeta: dbeta == nil ? nil : acc + cols, lo..<hi)
            }
        }
        for t in 0..<threads {
            let acc = partials + 2 * cols * t
            if let dgamma { for i in 0..<cols { dgamma[i] += acc[i] } }
            if let dbeta { for i in 0..<cols { dbeta[i] += acc[cols + i] } }
        }
    }

    public func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                     _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        // Large products are split over the threads along the longer side of C, in blocks of
        // whole 16-wide panels; each part is one single-threaded call of the library chosen for
        // the whole product (GEMMLibrary).
        let library = GEMMLibrary.choose(m: m, n: n, k: k)
        let threads = Parallel.threads(for: m * n * k, grain: Self.gemmGrain)
        let alongRows = m >= n
        let extent = alongRows ? m : n
        let panels = (extent + 15) / 16
        let parts = Swift.min(threads, panels)
        if parts <= 1 {
            Parallel.withKernelFloatMode { library.sgemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) }
            return
        }
        Parallel.forRanges(parts, grain: 1) { range in
            for part in range {
                let lo = Swift.min(extent, 16 * (panels * part / parts))
                let hi = Swift.min(extent, 16 * (panels * (part + 1) / parts))
                if alongRows {
                    library.sgemm(transposeA, transposeB, hi - lo, n, k, alpha, a + (transposeA ? lo : lo * lda), lda,
                               b, ldb, beta, c + lo * ldc, ldc)
                } else {
                    library.sgemm(transposeA, transposeB, m, hi - lo, k, alpha, a, lda,
                               b + (transposeB ? lo * ldb : lo), ldb, beta, c + lo, ldc)
                }
            }
        }
    }

    /// Multiply-adds per thread below which a product stays on one thread (about 25 µs of work).
    static let gemmGrain = 1 << 21

    public func pool2d(_ p: Pool2DParameters, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                       indices: UnsafeMutablePointer<Int32>?) {
        Parallel.forRanges(p.planes, grain: Swift.max(1, 4096 / Swift.max(1, p.height * p.width))) {
            PoolKernels.forward(p, x, y, indices, $0)
        }
    }

    public func pool2dBackward(_ p: Pool2DParameters, _ dy: UnsafePointer<Float>, indices: UnsafePointer<Int32>?,
                               _ dx: UnsafeMutablePointer<Float>) {
        Parallel.forRanges(p.planes, grain: Swift.max(1, 4096 / Swift.max(1, p.height * p.width))) {
            PoolKernels.backward(p, dy, indices, dx, $0)
        }
    }

    public func pool2dNHWC(_ p: Pool2DParameters, channels: Int, _ x: UnsafePointer<Float>,
                           _ y: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int32>?) {
        Parallel.forRanges(p.planes, grain: Swift.max(1, 8192 / Swift.max(1, p.height * p.width * channels))) {
            ChannelsLastKernels.poolForward(p, channels: channels, x, y, indices, $0)
        }
    }

    public func pool2dNHWCBackward(_ p: Pool2DParameters, channels: Int, _ dy: UnsafePointer<Float>,
                                   indices: UnsafePointer<Int32>?, _ dx: UnsafeMutablePointer<Float>) {
        Parallel.forRanges(p.planes, grain: Swift.max(1, 8192 / Swift.max(1, p.height * p.width * channels))) {
            ChannelsLastKernels.poolBackward(p, channels: channels, dy, indices, dx, $0)
        }
    }

    public func adamUpdate(_ p: AdamParameters, parameter: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>,
                           m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int) {
        // In C (CKernels/optimizer.c): the Swift loop, which the reference backend keeps, did not vectorise.
        // One pointer to the constants for every thread (an `&step` per chunk would be a write
        // access to a shared variable from several threads at once).
        let path = KernelPath.current.code
        withUnsafePointer(to: OptimizerKernels.adamStep(p)) { step in
            Parallel.forRanges(count, grain: Self.elementGrain) { r in
                lepton_adam(path, step, parameter + r.lowerBound, gradient + r.lowerBound, m + r.lowerBound,
                            v + r.lowerBound, Int64(r.count))
            }
        }
    }

    public func indexSelect(_ x: UnsafeRawPointer, outer: Int, axis: Int, inner: Int, elementSize: Int,
                            index: UnsafePointer<Int32>, count: Int, _ out: UnsafeMutableRawPointer) {
        if outer == 1 {
            Parallel.forRanges(count, grain: Swift.max(1, Self.elementGrain / Swift.max(1, inner))) { r in
                IndexKernels.indexSelect(x, axis: axis, inner: inner, elementSize: elementSize, index + r.lowerBound,
                                         count: r.count, out + r.lowerBound * inner * elementSize, 0..<1)
            }
            return
        }
        Parallel.forRanges(outer, grain: Swift.max(1, Self.elementGrain / Swift.max(1, count * inner))) {
            IndexKernels.indexSelect(x, axis: axis, inner: inner, elementSize: elementSize, index, count: count, out, $0)
        }
    }

    public func indexAdd(_ src: UnsafePointer<Float>, outer: Int, axis: Int, inner: Int,
                         index: UnsafePointer<Int32>, count: Int, _ out: UnsafeMutablePointer<Float>) {
        // Indices may repeat, so rows of one outer slice are added on one thread.
        Parallel.forRanges(outer, grain: Swift.max(1, Self.elementGrain / Swift.max(1, count * inner))) {
            IndexKernels.indexAdd(src, axis: axis, inner: inner, index, count: count, out, $0)
        }
    }

    public func gather(_ x: UnsafePointer<Float>, outer: Int, axis: Int, inner: Int,
                       index: UnsafePointer<Int32>, count: Int, _ out: UnsafeMutablePointer<Float>) {
        Parallel.forRanges(outer, grain: Swift.max(1, Self.elementGrain / Swift.max(1, count * inner))) {
            IndexKernels.gather(x, axis: axis, inner: inner, index, count: count, out, $0)
        }
    }

    public func scatterAdd(_ src: UnsafePointer<Float>, outer: Int, axis: Int, inner: Int,
                           index: UnsafePointer<Int32>, count: Int, _ out: UnsafeMutablePointer<Float>) {
        Parallel.forRanges(outer, grain: Swift.max(1, Self.elementGrain / Swift.max(1, count * inner))) {
            IndexKernels.scatterAdd(src, axis: axis, inner: inner, index, count: count, out, $0)
        }
    }

    /// Rows per thread so that each thread gets at least ``elementGrain`` elements.
    static func rowGrain(_ layout: StridedLayout) -> Int {
        Swift.max(1, elementGrain / Swift.max(1, layout.columns))
    }
}
