import CKernels

/// A direct channels-last (NHWC) convolution for patches of few taps (a 3×3 kernel over one
/// or three input channels: the first layer of most image models).
///
/// Lowering such a convolution to a GEMM costs more than it saves: the patch matrix has as
/// many columns as taps (9 for a 3×3 kernel on one channel), so the GEMM is mostly packing
/// and the im2col copy is as large as the work. Here each output pixel keeps its output
/// channels in vector registers (32 at a time), adds `x · w` for every in-bounds tap, and stores
/// them once. Pixels whose window lies inside the image — nearly all — go to the C kernel
/// `lepton_direct_conv_run` (``KernelPath``: built for AVX-512, AVX2 + FMA or any CPU), two
/// neighbours at a time so that each weight load is shared; the border's pixels are computed
/// here with bounds checks. The weights are transposed to `[groups, taps, outChannelsPerGroup]`
/// so each tap's weights for a block of outputs are one contiguous load.
enum DirectConvKernels {
    /// Largest patch (`KH·KW·C/groups`) the direct kernel takes; bigger ones go through a GEMM.
    static let maximumPatchSize = 32

    /// Whether `p` is better computed directly than through im2col and a GEMM.
    static func suits(_ p: Conv2DParameters) -> Bool {
        p.patchSize <= maximumPatchSize && p.groupOutChannels >= 8
    }

    /// `wt[g, t, o] = w[g·og + o, c, kh, kw]` with tap `t = (kh·KW + kw)·cg + c`
    /// (`wt` holds `outChannels · patchSize` floats).
    static func transposeWeights(_ p: Conv2DParameters, _ w: UnsafePointer<Float>, _ wt: UnsafeMutablePointer<Float>) {
        let cg = p.groupInChannels, og = p.groupOutChannels, taps = p.kernelHeight * p.kernelWidth, k = p.patchSize
        for g in 0..<p.groups {
            for o in 0..<og {
                let src = w + (g * og + o) * k
                for c in 0..<cg {
                    for t in 0..<taps { wt[(g * k + t * cg + c) * og + o] = src[c * taps + t] }
                }
            }
        }
    }

    /// `y = conv(x, w) + bias` (through a ReLU when `p.fusedReLU`, then 2×2 max pooling when
    /// `p.fusedMaxPool`: each pair of output rows goes to an L1-sized scratch and is pooled from
    /// there) for images `images`, the interior pixels on `path`; `wt` from ``transposeWeights(_:_:_:)``.
    static func forward(_ p: Conv2DParameters, _ x: UnsafePointer<Float>, _ wt: UnsafePointer<Float>,
                        bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>, images: Range<Int>, path: KernelPath) {
        let k = p.patchSize, c = p.inChannels, w = p.width
        // Tap t of a window whose corner is at `base` reads base[offsets[t]].
        let offsets = UnsafeMutablePointer<Int64>.allocate(capacity: k)
        defer { offsets.deallocate() }
        for kh in 0..<p.kernelHeight {
            for kw in 0..<p.kernelWidth {
                for ci in 0..<p.groupInChannels {
                    offsets[(kh * p.kernelWidth + kw) * p.groupInChannels + ci] = Int64((kh * p.dilationHeight * w + kw * p.dilationWidth) * c + ci)
                }
            }
        }
        let row = p.outWidth * p.outChannels
        guard p.fusedMaxPool else {
            for n in images {
                for oy in 0..<p.outHeight {
                    outputRow(p, x + n * p.height * w * c, oy, offsets, wt, bias, y + (n * p.outHeight + oy) * row, path.code)
                }
            }
            return
        }
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * row)
        defer { scratch.deallocate() }
        let pool = p.fusedPool(images: 1, rows: 2), pooledRow = p.resultWidth * p.outChannels
        for n in images {
            for py in 0..<p.resultHeight {
                let image = x + n * p.height * w * c
                outputRow(p, image, 2 * py, offsets, wt, bias, scratch, path.code)
                outputRow(p, image, 2 * py + 1, offsets, wt, bias, scratch + row, path.code)
                ChannelsLastKernels.poolForward(pool, channels: p.outChannels, scratch,
                                                y + (n * p.resultHeight + py) * pooledRow, nil, 0..<1)
            }
        }
    }

    /// Output row `oy` of one image (`[OW, O]` floats at `out`).
    private static func outputRow(_ p: Conv2DParameters, _ image: UnsafePointer<Float>, _ oy: Int, _ offsets: UnsafePointer<Int64>,
                                  _ wt: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?, _ out: UnsafeMutablePointer<Float>,
                                  _ path: Int32) {
        let (w, c, cg, og, oc, k) = (p.width, p.inChannels, p.groupInChannels, p.groupOutChannels, p.outChannels, p.patchSize)
        let relu = p.fusedReLU
        // Outputs whose whole window lies inside the image skip the bounds checks.
        let inside = { (o: Int, stride: Int, pad: Int, kernel: Int, dilation: Int, size: Int) -> Bool in
            let start = o * stride - pad
            return start >= 0 && start + (kernel - 1) * dilation < size
        }
        let y0 = oy * p.strideHeight - p.padTop
        let rowInside = inside(oy, p.strideHeight, p.padTop, p.kernelHeight, p.dilationHeight, p.height)
        var ox = 0
        while ox < p.outWidth {
            let x0 = ox * p.strideWidth - p.padLeft
            let out = out + ox * oc
            if rowInside && inside(ox, p.strideWidth, p.padLeft, p.kernelWidth, p.dilationWidth, w) {
                // The run of pixels from here whose windows lie inside the image, in C.
                var end = ox + 1
                while end < p.outWidth && inside(end, p.strideWidth, p.padLeft, p.kernelWidth, p.dilationWidth, w) { end += 1 }
                let corner = image + (y0 * w + x0) * c
                for g in 0..<p.groups {
                    lepton_direct_conv_run(path, corner + g * cg, Int64(p.strideWidth * c), Int64(end - ox), offsets, Int64(k),
                                           wt + g * k * og, Int64(og), bias.map { $0 + g * og }, out + g * og, Int64(oc), relu ? 1 : 0)
                }
                ox = end
                continue
            }
            for g in 0..<p.groups {
                let input = image + g * cg, weights = wt + g * k * og, b = bias.map { $0 + g * og }
                var j = 0
                while j + 32 <= og {
                    block32(p, input, y0, x0, weights + j, og, b.map { $0 + j }, out + g * og + j, relu)
                    j += 32
                }
                while j + 8 <= og {
                    block8(p, input, y0, x0, weights + j, og, b.map { $0 + j }, out + g * og + j, relu)
                    j += 8
                }
                while j < og {
                    var acc: Float = b?[j] ?? 0
                    forEachTap(p, input, y0, x0) { value, tap in acc += value * weights[tap * og + j] }
                    out[g * og + j] = relu && !(acc > 0) ? 0 : acc
                    j += 1
                }
            }
            ox += 1
        }
    }

    /// Calls `body(x value, tap index)` for every in-bounds tap of the output pixel whose
    /// window starts at (`y0`, `x0`); `input` points at the group's first channel of the image.
    @inline(__always)
    private static func forEachTap(_ p: Conv2DParameters, _ input: UnsafePointer<Float>, _ y0: Int, _ x0: Int,
                                   _ body: (Float, Int) -> Void) {
        let cg = p.groupInChannels
        for kh in 0..<p.kernelHeight {
            let ih = y0 + kh * p.dilationHeight
            if ih < 0 || ih >= p.height { continue }
            for kw in 0..<p.kernelWidth {
                let iw = x0 + kw * p.dilationWidth
                if iw < 0 || iw >= p.width { continue }
                let src = input + (ih * p.width + iw) * p.inChannels
                let tap = (kh * p.kernelWidth + kw) * cg
                for ci in 0..<cg { body(src[ci], tap + ci) }
            }
        }
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// Stores `v`, through a ReLU when `relu` (0 wherever `v` is not positive, NaN included, as
    /// ``Tensor/relu()``).
    @inline(__always)
    private static func emit(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ relu: Bool) {
        store(relu ? v.replacing(with: 0, where: .!(v .> 0)) : v, p)
    }

    @inline(__always)
    private static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    /// 32 output channels of one pixel (`weights` at the block's first channel, row stride `og`).
    @inline(__always)
    private static func block32(_ p: Conv2DParameters, _ input: UnsafePointer<Float>, _ y0: Int, _ x0: Int,
                                _ weights: UnsafePointer<Float>, _ og: Int, _ bias: UnsafePointer<Float>?,
                                _ out: UnsafeMutablePointer<Float>, _ relu: Bool) {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        if let bias { a0 = load(bias); a1 = load(bias + 8); a2 = load(bias + 16); a3 = load(bias + 24) }
        forEachTap(p, input, y0, x0) { value, tap in
            let s = SIMD8<Float>(repeating: value), row = weights + tap * og
            a0 += s * load(row); a1 += s * load(row + 8); a2 += s * load(row + 16); a3 += s * load(row + 24)
        }
        emit(a0, out, relu); emit(a1, out + 8, relu); emit(a2, out + 16, relu); emit(a3, out + 24, relu)
    }

    /// 8 output channels of one pixel.
    @inline(__always)
    private static func block8(_ p: Conv2DParameters, _ input: UnsafePointer<Float>, _ y0: Int, _ x0: Int,
                               _ weights: UnsafePointer<Float>, _ og: Int, _ bias: UnsafePointer<Float>?,
                               _ out: UnsafeMutablePointer<Float>, _ relu: Bool) {
        var a = bias.map { load($0) } ?? SIMD8<Float>()
        forEachTap(p, input, y0, x0) { value, tap in a += SIMD8<Float>(repeating: value) * load(weights + tap * og) }
        emit(a, out, relu)
    }
}
