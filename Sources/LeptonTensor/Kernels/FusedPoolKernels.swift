/// 2×2 max pooling with stride 2 over channels-last rows, for a convolution that pools its
/// outputs while they are still in cache (``Conv2DParameters/fusedMaxPool``): the full feature
/// map is never written to memory and read back.
enum FusedPoolKernels {
    /// `out[px, c] = max(top[2px, c], top[2px + 1, c], bottom[2px, c], bottom[2px + 1, c])` for
    /// `px < width / 2` (an odd last column is dropped, as pooling with floor does); a NaN wins,
    /// as in the channels-last pooling kernel.
    static func maxPool2x2(_ top: UnsafePointer<Float>, _ bottom: UnsafePointer<Float>, width: Int, channels c: Int,
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

    /// Pools `images` channels-last maps `[height, width, channels]` laid end to end into
    /// `[images, height / 2, width / 2, channels]`.
    static func maxPool2x2(_ maps: UnsafePointer<Float>, images: Int, height: Int, width: Int, channels c: Int,
                           _ out: UnsafeMutablePointer<Float>) {
        let row = width * c, pooledRow = width / 2 * c
        for n in 0..<images {
            for py in 0..<(height / 2) {
                let top = maps + (n * height + 2 * py) * row
                maxPool2x2(top, top + row, width: width, channels: c, out + (n * (height / 2) + py) * pooledRow)
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
