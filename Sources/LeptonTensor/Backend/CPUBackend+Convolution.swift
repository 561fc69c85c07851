import CBLAS

/// Convolutions lowered to OpenBLAS GEMM through im2col, one image per task, images spread
/// over the threads.
extension CPUBackend {
    public func conv2d(_ p: Conv2DParameters, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                       _ y: UnsafeMutablePointer<Float>) {
        let k = p.patchSize, og = p.groupOutChannels, plane = p.outPlane
        let direct = isPointwise(p)
        withColumnBuffers(p, direct: direct) { images, col in
            for n in images {
                for g in 0..<p.groups {
                    let xg = x + (n * p.inChannels + g * p.groupInChannels) * p.height * p.width
                    let cols: UnsafePointer<Float>
                    if direct { cols = xg } else { ConvKernels.im2col(p, xg, col!); cols = UnsafePointer(col!) }
                    gemm(transposeA: false, transposeB: false, m: og, n: plane, k: k, alpha: 1,
                         w + g * og * k, lda: k, cols, ldb: plane, beta: 0,
                         y + (n * p.outChannels + g * og) * plane, ldc: plane)
                }
            }
        }
    }

    public func conv2dBackwardData(_ p: Conv2DParameters, _ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                                   _ dx: UnsafeMutablePointer<Float>) {
        let k = p.patchSize, og = p.groupOutChannels, plane = p.outPlane
        let direct = isPointwise(p)
        let inImage = p.inChannels * p.height * p.width
        withColumnBuffers(p, direct: false) { images, col in
            for n in images {
                for g in 0..<p.groups {
                    let dxg = dx + n * inImage + g * p.groupInChannels * p.height * p.width
                    let target = direct ? dxg : col!
                    gemm(transposeA: true, transposeB: false, m: k, n: plane, k: og, alpha: 1,
                         w + g * og * k, lda: k, dy + (n * p.outChannels + g * og) * plane, ldb: plane,
                         beta: 0, target, ldc: plane)
                    if !direct {
                        if g == 0 { (dx + n * inImage).update(repeating: 0, count: inImage) }
                        ConvKernels.col2im(p, col!, dxg)
                    }
                }
            }
        }
    }

    public func conv2dBackwardFilter(_ p: Conv2DParameters, _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                                     _ dw: UnsafeMutablePointer<Float>) {
        let k = p.patchSize, og = p.groupOutChannels, plane = p.outPlane
        let direct = isPointwise(p)
        let weightCount = p.outChannels * k
        let threads = Swift.max(1, Swift.min(Lepton.threadCount, p.batch))
        // One partial gradient per thread, summed at the end.
        let partials = scratch(floats: weightCount * threads)
        defer { release(partials, floats: weightCount * threads) }
        partials.update(repeating: 0, count: weightCount * threads)
        let colCount = direct ? 0 : p.patchSize * plane
        let cols = scratch(floats: colCount * threads)
        defer { release(cols, floats: colCount * threads) }
        Parallel.forRanges(threads, grain: 1) { ts in
            for t in ts {
                let lo = p.batch * t / threads, hi = p.batch * (t + 1) / threads
                let col = cols + t * colCount, acc = partials + t * weightCount
                for n in lo..<hi {
                    for g in 0..<p.groups {
                        let xg = x + (n * p.inChannels + g * p.groupInChannels) * p.height * p.width
                        let patch: UnsafePointer<Float>
                        if direct { patch = xg } else { ConvKernels.im2col(p, xg, col); patch = UnsafePointer(col) }
                        gemm(transposeA: false, transposeB: true, m: og, n: k, k: plane, alpha: 1,
                             dy + (n * p.outChannels + g * og) * plane, lda: plane, patch, ldb: plane,
                             beta: 1, acc + g * og * k, ldc: k)
                    }
                }
            }
        }
        dw.update(from: partials, count: weightCount)
        for t in 1..<threads {
            let src = partials + t * weightCount
            for i in 0..<weightCount { dw[i] += src[i] }
        }
    }

    /// A 1×1 convolution with unit stride and no padding needs no im2col: the input is the patch matrix.
    func isPointwise(_ p: Conv2DParameters) -> Bool {
        p.kernelHeight == 1 && p.kernelWidth == 1 && p.strideHeight == 1 && p.strideWidth == 1
            && p.padTop == 0 && p.padLeft == 0 && p.outHeight == p.height && p.outWidth == p.width
    }

    /// Spreads images over threads, giving each thread its own im2col buffer (nil when `direct`).
    func withColumnBuffers(_ p: Conv2DParameters, direct: Bool,
                           _ body: (Range<Int>, UnsafeMutablePointer<Float>?) -> Void) {
        let colCount = direct ? 0 : p.patchSize * p.outPlane
        let threads = Swift.max(1, Swift.min(Lepton.threadCount, p.batch))
        let cols = direct ? nil : scratch(floats: colCount * threads)
        defer { if let cols { release(cols, floats: colCount * threads) } }
        Parallel.forRanges(threads, grain: 1) { ts in
            for t in ts {
                let lo = p.batch * t / threads, hi = p.batch * (t + 1) / threads
                body(lo..<hi, cols.map { $0 + t * colCount })
            }
        }
    }
}

/// Channels-last (NHWC) convolutions: im2col rows for many images at once and ONE GEMM per
/// chunk of images (`out[rows, O] = cols[rows, K] · Wᵀ`), no layout permutes.
extension CPUBackend {
    /// Images per GEMM so that a chunk's patch matrix stays around 1 MiB.
    func nhwcChunk(_ p: Conv2DParameters) -> Int {
        Swift.max(1, (1 << 18) / Swift.max(1, p.patchSize * p.outPlane))
    }

    /// Whether the input itself is the patch matrix (1×1, stride 1, no padding, one group).
    func isPointwiseNHWC(_ p: Conv2DParameters) -> Bool { isPointwise(p) && p.groups == 1 }

    /// Splits images over threads; each thread gets its own chunk-sized buffer of `perImage` floats per image.
    func forImageChunks(_ p: Conv2DParameters, perImage: Int,
                        _ body: (_ thread: Int, _ images: Range<Int>, _ buffer: UnsafeMutablePointer<Float>) -> Void) {
        let chunk = nhwcChunk(p)
        let threads = Swift.max(1, Swift.min(Lepton.threadCount, (p.batch + chunk - 1) / chunk))
        let size = Swift.max(1, perImage * Swift.min(chunk, p.batch))
        let buffers = scratch(floats: size * threads)
        defer { release(buffers, floats: size * threads) }
        Parallel.forRanges(threads, grain: 1) { ts in
            for t in ts {
                let lo = p.batch * t / threads, hi = p.batch * (t + 1) / threads
                var n = lo
                while n < hi {
                    let e = Swift.min(hi, n + chunk)
                    body(t, n..<e, buffers + t * size)
                    n = e
                }
            }
        }
    }

    /// The weights repacked to `[O, KH, KW, C/groups]`, in a temporary buffer.
    func withPackedWeights<R>(_ p: Conv2DParameters, _ w: UnsafePointer<Float>, _ body: (UnsafePointer<Float>) -> R) -> R {
        let n = p.outChannels * p.patchSize
        if p.groupInChannels == 1 || p.kernelHeight * p.kernelWidth == 1 { return body(w) }
        let wp = scratch(floats: n)
        defer { release(wp, floats: n) }
        ChannelsLastKernels.packWeights(p, w, wp)
        return body(wp)
    }

    public func conv2dNHWC(_ p: Conv2DParameters, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                           bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>) {
        let k = p.patchSize, og = p.groupOutChannels, oc = p.outChannels, plane = p.outPlane
        if DirectConvKernels.suits(p) {
            let wt = scratch(floats: oc * k)
            defer { release(wt, floats: oc * k) }
            DirectConvKernels.transposeWeights(p, w, wt)
            let path = KernelPath.current          // read on this thread: a task's choice does not reach the workers
            forImageChunks(p, perImage: 0) { _, images, _ in
                DirectConvKernels.forward(p, x, wt, bias: bias, y, images: images, path: path)
            }
            return
        }
        let direct = isPointwiseNHWC(p)
        // Pooled: a chunk's outputs go to a scratch after its patch matrix, pooled from there.
        let colFloats = direct ? 0 : plane * k, chunkImages = Swift.min(nhwcChunk(p), p.batch)
        let pooledImage = p.resultHeight * p.resultWidth * oc
        withPackedWeights(p, w) { wp in
            forImageChunks(p, perImage: colFloats + (p.fusedMaxPool ? plane * oc : 0)) { _, images, col in
                let rows = images.count * plane
                let out = p.fusedMaxPool ? col + chunkImages * colFloats : y + images.lowerBound * plane * oc
                if let bias {
                    for r in 0..<rows { (out + r * oc).update(from: bias, count: oc) }
                }
                for g in 0..<p.groups {
                    let cols: UnsafePointer<Float>
                    if direct {
                        cols = x + images.lowerBound * plane * p.inChannels
                    } else {
                        ChannelsLastKernels.im2col(p, group: g, x, images: images, col)
                        cols = UnsafePointer(col)
                    }
                    gemm(transposeA: false, transposeB: true, m: rows, n: og, k: k, alpha: 1,
                         cols, lda: k, wp + g * og * k, ldb: k, beta: bias == nil ? 0 : 1, out + g * og, ldc: oc)
                }
                // The chunk's outputs are still in cache: the ReLU and the pooling cost no pass of their own.
                if p.fusedReLU { ElementwiseKernels.unary(.relu, out, out, 0..<(rows * oc)) }
                if p.fusedMaxPool {
                    ChannelsLastKernels.poolForward(p.fusedPool(images: images.count, rows: p.outHeight), channels: oc, out,
                                                    y + images.lowerBound * pooledImage, nil, 0..<images.count)
                }
            }
        }
    }

    public func conv2dNHWCBackwardData(_ p: Conv2DParameters, _ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                                       _ dx: UnsafeMutablePointer<Float>) {
        let k = p.patchSize, og = p.groupOutChannels, oc = p.outChannels, plane = p.outPlane
        let direct = isPointwiseNHWC(p)
        let inImage = p.height * p.width * p.inChannels
        withPackedWeights(p, w) { wp in
            forImageChunks(p, perImage: direct ? 0 : plane * k) { _, images, col in
                let rows = images.count * plane
                let g0 = dy + images.lowerBound * plane * oc
                if direct {
                    gemm(transposeA: false, transposeB: false, m: rows, n: k, k: og, alpha: 1,
                         g0, lda: oc, wp, ldb: k, beta: 0, dx + images.lowerBound * inImage, ldc: p.inChannels)
                    return
                }
                (dx + images.lowerBound * inImage).update(repeating: 0, count: images.count * inImage)
                for g in 0..<p.groups {
                    gemm(transposeA: false, transposeB: false, m: rows, n: k, k: og, alpha: 1,
                         g0 + g * og, lda: oc, wp + g * og * k, ldb: k, beta: 0, col, ldc: k)
                    ChannelsLastKernels.col2im(p, group: g, col, images: images, dx)
                }
            }
        }
    }

    public func conv2dNHWCBackwardFilter(_ p: Conv2DParameters, _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                                         _ dw: UnsafeMutablePointer<Float>) {
        let k = p.patchSize, og = p.groupOutChannels, oc = p.outChannels, plane = p.outPlane
        let direct = isPointwiseNHWC(p)
        let weightCount = oc * k
        let chunk = nhwcChunk(p)
        let threads = Swift.max(1, Swift.min(Lepton.threadCount, (p.batch + chunk - 1) / chunk))
        // One partial gradient per thread (in the packed layout), summed at the end.
        let partials = scratch(floats: weightCount * threads)
        defer { release(partials, floats: weightCount * threads) }
        partials.update(repeating: 0, count: weightCount * threads)
        forImageChunks(p, perImage: direct ? 0 : plane * k) { t, images, col in
            let rows = images.count * plane
            let g0 = dy + images.lowerBound * plane * oc
            let acc = partials + t * weightCount
            for g in 0..<p.groups {
                let cols: UnsafePointer<Float>
                if direct {
                    cols = x + images.lowerBound * plane * p.inChannels
                } else {
                    ChannelsLastKernels.im2col(p, group: g, x, images: images, col)
                    cols = UnsafePointer(col)
                }
                gemm(transposeA: true, transposeB: false, m: og, n: k, k: rows, alpha: 1,
                     g0 + g * og, lda: oc, cols, ldb: k, beta: 1, acc + g * og * k, ldc: k)
            }
        }
        for t in 1..<threads {
            let src = partials + t * weightCount
            for i in 0..<weightCount { partials[i] += src[i] }
        }
        ChannelsLastKernels.unpackWeights(p, partials, dw)
    }
}
