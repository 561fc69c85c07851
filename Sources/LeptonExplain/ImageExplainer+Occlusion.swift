import LeptonTensor

extension ImageExplainer {
    /// Occlusion (Zeiler & Fergus; Captum's `Occlusion`): slides a `window × window` patch over
    /// the image in steps of `stride`, sets it (all channels) to `baseline`, and gives each pixel
    /// the mean drop of the class score over the patches that covered it (0 where none did).
    /// - Throws: ``ExplainError`` when `window` or `stride` is below 1 or the window is larger
    ///   than the image.
    public func occlusion(_ image: Tensor, target: Int? = nil, window: Int = 4, stride: Int = 2,
                          baseline: Float = 0) throws -> Attribution {
        guard image.rank == 4 else { throw ExplainError("occlusion expects an image [1, height, width, channels], got \(image.shape)") }
        let (h, w, c) = (image.shape[1], image.shape[2], image.shape[3])
        guard window >= 1, stride >= 1 else {
            throw ExplainError("occlusion needs a window and a stride of at least 1, got window \(window), stride \(stride)")
        }
        guard window <= h, window <= w else {
            throw ExplainError("the occlusion window \(window) is larger than the image (\(h)×\(w))")
        }
        let target = try resolve(image, target)
        let x = image.scalars
        let corners = Swift.stride(from: 0, through: h - window, by: stride).flatMap { y in
            Swift.stride(from: 0, through: w - window, by: stride).map { (y, $0) }
        }
        let base = try runner.scores(image, target: target)[0]
        var scores = [Float]()
        for chunk in runner.ranges(corners.count) {
            var batch = [Float]()
            batch.reserveCapacity(chunk.count * x.count)
            for (y0, x0) in corners[chunk] {
                var copy = x
                for y in y0..<(y0 + window) {
                    for xx in x0..<(x0 + window) {
                        for ch in 0..<c { copy[(y * w + xx) * c + ch] = baseline }
                    }
                }
                batch += copy
            }
            scores += try runner.scores(Tensor(batch, shape: [chunk.count, h, w, c]), target: target)
        }
        var total = [Float](repeating: 0, count: h * w), count = [Float](repeating: 0, count: h * w)
        for ((y0, x0), score) in zip(corners, scores) {
            for y in y0..<(y0 + window) {
                for xx in x0..<(x0 + window) {
                    total[y * w + xx] += base - score
                    count[y * w + xx] += 1
                }
            }
        }
        let perPixel = zip(total, count).map { $1 > 0 ? $0 / $1 : 0 }
        let values = perPixel.flatMap { [Float](repeating: $0, count: c) }
        return Attribution(method: .occlusion, values: values, shape: [h, w, c], target: target, score: base)
    }
}
