/// Resizing of single-channel maps (Grad-CAM's coarse map to the image's size).
public enum Resample {
    /// `values` (`height × width`, row-major) resized bilinearly to `toHeight × toWidth`, with
    /// pixel centres aligned as PyTorch's `interpolate(mode="bilinear", align_corners=False)`.
    public static func bilinear(_ values: [Float], height: Int, width: Int, toHeight: Int, toWidth: Int) -> [Float] {
        guard height > 0, width > 0, toHeight > 0, toWidth > 0, values.count == height * width else { return [] }
        func source(_ i: Int, _ from: Int, _ to: Int) -> (Int, Int, Float) {
            let s = max(0, (Float(i) + 0.5) * Float(from) / Float(to) - 0.5)
            let i0 = min(Int(s), from - 1), i1 = min(i0 + 1, from - 1)
            return (i0, i1, s - Float(i0))
        }
        var out = [Float](repeating: 0, count: toHeight * toWidth)
        for y in 0..<toHeight {
            let (y0, y1, fy) = source(y, height, toHeight)
            for x in 0..<toWidth {
                let (x0, x1, fx) = source(x, width, toWidth)
                let top = values[y0 * width + x0] * (1 - fx) + values[y0 * width + x1] * fx
                let bottom = values[y1 * width + x0] * (1 - fx) + values[y1 * width + x1] * fx
                out[y * toWidth + x] = top * (1 - fy) + bottom * fy
            }
        }
        return out
    }
}
