/// 2×2 max pooling with stride 2 and no padding over channels-last images, without argmax
/// positions (inference): the fast path of ``ChannelsLastKernels/poolForward(_:channels:_:_:_:_:)``,
/// which the convolution also calls on the rows it pools while they are in cache
/// (``Conv2DParameters/fusedMaxPool``). Two rows in, one out; eight channels at a time.
enum MaxPool2x2Kernels {
    /// Whether `p` is such a pooling (floor: an odd last row or column is dropped).
    static func suits(_ p: Pool2DParameters) -> Bool {
        p.kind == .max && p.kernelHeight == 2 && p.kernelWidth == 2 && p.strideHeight == 2 && p.strideWidth == 2
            && p.padTop == 0 && p.padLeft == 0 && p.outHeight == p.height / 2 && p.outWidth == p.width / 2
    }

    /// Pools images `images` of `x` (`[planes, H, W, C]`) into `y` (`[planes, H/2, W/2, C]`).
    static func forward(_ p: Pool2DParameters, channels c: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                        _ images: Range<Int>) {
        let row = p.width * c, pooledRow = p.outWidth * c
        for n in images {
            for py in 0..<p.outHeight {
                let top = x + (n * p.height + 2 * py) * row
                maxPool2x2(top, top + row, width: p.width, channels: c, y + (n * p.outHeight + py) * pooledRow)
            }
        }
    }

    /// `out[px, c] = max(top[2px, c], top[2px + 1, c], bottom[2px, c], bottom[2px + 1, c])` for
    /// `px < width / 2` (an odd last column is dropped, as pooling with floor does); a NaN wins,
    /// as in the general kernel.
    private static func maxPool2x2(_ top: UnsafePointer<Float>, _ bottom: UnsafePointer<Float>, width: Int, channels c: Int,
                                   _ out: UnsafeMutablePointer<Float>) {
        for px in 0..<(width / 2) {
            let a = top + 2 * px * c, b = bottom + 2 * px * c, o = out + px * c
            var i = 0
            while i + 8 <= c {
                var best = load(a + i)
                take(load(a + c + i), &best); take(load(b + i), &best); take(load(b + c + i), &best)
                UnsafeMutableRawPointer(o + i).storeBytes(of: best, as: SIMD8<Float>.self)
                i += 8
            }
            for i in i..<c {
                var best = a[i]
                take(a[c + i], &best); take(b[i], &best); take(b[c + i], &best)
                o[i] = best
            }
        }
    }

    /// `best = v` where `v` is larger or NaN (the pooling kernel's rule).
    @inline(__always)
    private static func take(_ v: SIMD8<Float>, _ best: inout SIMD8<Float>) {
        best.replace(with: v, where: (v .> best) .| (v .!= v))
    }

    @inline(__always)
    private static func take(_ v: Float, _ best: inout Float) {
        if v > best || v.isNaN { best = v }
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }
}
