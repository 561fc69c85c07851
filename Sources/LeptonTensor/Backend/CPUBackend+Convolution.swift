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
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: weightCount * threads)
        defer { partials.deallocate() }
        partials.update(repeating: 0, count: weightCount * threads)
        let colCount = direct ? 0 : p.patchSize * plane
        let cols = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, colCount * threads))
        defer { cols.deallocate() }
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
        let cols = direct ? nil : UnsafeMutablePointer<Float>.allocate(capacity: colCount * threads)
        defer { cols?.deallocate() }
        Parallel.forRanges(threads, grain: 1) { ts in
            for t in ts {
                let lo = p.batch * t / threads, hi = p.batch * (t + 1) / threads
                body(lo..<hi, cols.map { $0 + t * colCount })
            }
        }
    }
}
