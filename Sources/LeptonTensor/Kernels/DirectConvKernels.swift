/// A direct channels-last (NHWC) convolution for patches of few taps (a 3×3 kernel over one
/// or three input channels: the first layer of most image models).
///
/// Lowering such a convolution to a GEMM costs more than it saves: the patch matrix has as
/// many columns as taps (9 for a 3×3 kernel on one channel), so the GEMM is mostly packing
/// and the im2col copy is as large as the work. Here each output pixel keeps its output
/// channels in SIMD registers (32 at a time), adds `x · w` for every in-bounds tap, and stores
/// them once — two neighbouring pixels at a time inside the image, which shares each weight
/// load and gives the FMA units enough independent sums even for 16 channels; the weights are
/// transposed to `[groups, taps, outChannelsPerGroup]` so each tap's weights for a block of
/// outputs are one contiguous load.
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
    /// there) for images `images`; `wt` from ``transposeWeights(_:_:_:)``.
    static func forward(_ p: Conv2DParameters, _ x: UnsafePointer<Float>, _ wt: UnsafePointer<Float>,
                        bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>, images: Range<Int>) {
        let k = p.patchSize, c = p.inChannels, w = p.width
        // Tap t of a window whose corner is at `base` reads base[offsets[t]].
        let offsets = UnsafeMutablePointer<Int>.allocate(capacity: k)
        defer { offsets.deallocate() }
        for kh in 0..<p.kernelHeight {
            for kw in 0..<p.kernelWidth {
                for ci in 0..<p.groupInChannels {
                    offsets[(kh * p.kernelWidth + kw) * p.groupInChannels + ci] = (kh * p.dilationHeight * w + kw * p.dilationWidth) * c + ci
                }
            }
        }
        let row = p.outWidth * p.outChannels
        guard p.fusedMaxPool else {
            for n in images {
                for oy in 0..<p.outHeight {
                    outputRow(p, x + n * p.height * w * c, oy, offsets, wt, bias, y + (n * p.outHeight + oy) * row)
                }
            }
            return
        }
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * row)
        defer { scratch.deallocate() }
        let pooledRow = p.outWidth / 2 * p.outChannels
        for n in images {
            for py in 0..<(p.outHeight / 2) {
                let image = x + n * p.height * w * c
                outputRow(p, image, 2 * py, offsets, wt, bias, scratch)
                outputRow(p, image, 2 * py + 1, offsets, wt, bias, scratch + row)
                FusedPoolKernels.maxPool2x2(scratch, scratch + row, width: p.outWidth, channels: p.outChannels,
                                            y + (n * (p.outHeight / 2) + py) * pooledRow)
            }
        }
    }

    /// Output row `oy` of one image (`[OW, O]` floats at `out`).
    private static func outputRow(_ p: Conv2DParameters, _ image: UnsafePointer<Float>, _ oy: Int, _ offsets: UnsafePointer<Int>,
                                  _ wt: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?, _ out: UnsafeMutablePointer<Float>) {
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
                let corner = image + (y0 * w + x0) * c
                // Two neighbours at once share each weight load and double the independent sums.
                let pair = ox + 1 < p.outWidth && inside(ox + 1, p.strideWidth, p.padLeft, p.kernelWidth, p.dilationWidth, w)
                for g in 0..<p.groups {
                    let weights = wt + g * k * og, b = bias.map { $0 + g * og }
                    if pair {
                        interiorPair(corner + g * cg, p.strideWidth * c, offsets, k, weights, og, b, out + g * og, oc, relu)
                    } else {
                        interior(corner + g * cg, offsets, k, weights, og, b, out + g * og, relu)
                    }
                }
                ox += pair ? 2 : 1
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

    /// All output channels of one group at a pixel whose window is inside the image: tap t
    /// reads `corner[offsets[t]]`, no bounds checks.
    @inline(__always)
    private static func interior(_ corner: UnsafePointer<Float>, _ offsets: UnsafePointer<Int>, _ k: Int,
                                 _ weights: UnsafePointer<Float>, _ og: Int, _ bias: UnsafePointer<Float>?,
                                 _ out: UnsafeMutablePointer<Float>, _ relu: Bool, from first: Int = 0) {
        var j = first
        while j + 32 <= og {
            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
            if let b = bias.map({ $0 + j }) { a0 = load(b); a1 = load(b + 8); a2 = load(b + 16); a3 = load(b + 24) }
            var row = weights + j
            for t in 0..<k {
                let s = SIMD8<Float>(repeating: corner[offsets[t]])
                a0 += s * load(row); a1 += s * load(row + 8); a2 += s * load(row + 16); a3 += s * load(row + 24)
                row += og
            }
            emit(a0, out + j, relu); emit(a1, out + j + 8, relu); emit(a2, out + j + 16, relu); emit(a3, out + j + 24, relu)
            j += 32
        }
        while j + 8 <= og {
            var a = bias.map { load($0 + j) } ?? SIMD8<Float>()
            var row = weights + j
            for t in 0..<k {
                a += SIMD8<Float>(repeating: corner[offsets[t]]) * load(row)
                row += og
            }
            emit(a, out + j, relu)
            j += 8
        }
        while j < og {
            var acc: Float = bias?[j] ?? 0
            for t in 0..<k { acc += corner[offsets[t]] * weights[t * og + j] }
            out[j] = relu && !(acc > 0) ? 0 : acc
            j += 1
        }
    }

    /// ``interior(_:_:_:_:_:_:_:)`` for two pixels whose windows start `step` floats apart,
    /// the second pixel's outputs `outStep` floats after the first's.
    @inline(__always)
    private static func interiorPair(_ corner: UnsafePointer<Float>, _ step: Int, _ offsets: UnsafePointer<Int>, _ k: Int,
                                     _ weights: UnsafePointer<Float>, _ og: Int, _ bias: UnsafePointer<Float>?,
                                     _ out: UnsafeMutablePointer<Float>, _ outStep: Int, _ relu: Bool) {
        let second = corner + step
        var j = 0
        while j + 32 <= og {
            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
            if let b = bias.map({ $0 + j }) { a0 = load(b); a1 = load(b + 8); a2 = load(b + 16); a3 = load(b + 24) }
            var b0 = a0, b1 = a1, b2 = a2, b3 = a3
            var row = weights + j
            for t in 0..<k {
                let s = SIMD8<Float>(repeating: corner[offsets[t]]), r = SIMD8<Float>(repeating: second[offsets[t]])
                let w0 = load(row), w1 = load(row + 8), w2 = load(row + 16), w3 = load(row + 24)
                a0 += s * w0; a1 += s * w1; a2 += s * w2; a3 += s * w3
                b0 += r * w0; b1 += r * w1; b2 += r * w2; b3 += r * w3
                row += og
            }
            emit(a0, out + j, relu); emit(a1, out + j + 8, relu); emit(a2, out + j + 16, relu); emit(a3, out + j + 24, relu)
            let o = out + outStep + j
            emit(b0, o, relu); emit(b1, o + 8, relu); emit(b2, o + 16, relu); emit(b3, o + 24, relu)
            j += 32
        }
        while j + 16 <= og {
            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>()
            if let b = bias.map({ $0 + j }) { a0 = load(b); a1 = load(b + 8) }
            var b0 = a0, b1 = a1
            var row = weights + j
            for t in 0..<k {
                let s = SIMD8<Float>(repeating: corner[offsets[t]]), r = SIMD8<Float>(repeating: second[offsets[t]])
                let w0 = load(row), w1 = load(row + 8)
                a0 += s * w0; a1 += s * w1
                b0 += r * w0; b1 += r * w1
                row += og
            }
            emit(a0, out + j, relu); emit(a1, out + j + 8, relu)
            emit(b0, out + outStep + j, relu); emit(b1, out + outStep + j + 8, relu)
            j += 16
        }
        if j < og {
            interior(corner, offsets, k, weights, og, bias, out, relu, from: j)
            interior(second, offsets, k, weights, og, bias, out + outStep, relu, from: j)
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
