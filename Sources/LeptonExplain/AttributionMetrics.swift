import LeptonTensor

/// Checks of attribution maps: rank agreement between two maps (the model-randomisation sanity
/// check of Adebayo et al.) and the deletion curve (Petsiuk et al.): how fast the class score
/// falls as pixels are removed, most attributed first.
public enum AttributionMetrics {
    /// Spearman's rank correlation of `a` and `b` (ties get their mean rank); 0 when either is constant.
    public static func spearman(_ a: [Float], _ b: [Float]) -> Double {
        guard a.count == b.count, a.count > 1 else { return 0 }
        let ra = ranks(a), rb = ranks(b)
        let n = Double(a.count), ma = ra.reduce(0, +) / n, mb = rb.reduce(0, +) / n
        var cov = 0.0, va = 0.0, vb = 0.0
        for i in ra.indices {
            cov += (ra[i] - ma) * (rb[i] - mb)
            va += (ra[i] - ma) * (ra[i] - ma)
            vb += (rb[i] - mb) * (rb[i] - mb)
        }
        return va > 0 && vb > 0 ? cov / (va * vb).squareRoot() : 0
    }

    /// The rank of each value, 1-based, ties sharing their mean rank.
    static func ranks(_ values: [Float]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count, values[order[j + 1]] == values[order[i]] { j += 1 }
            let rank = Double(i + j) / 2 + 1
            for k in i...j { ranks[order[k]] = rank }
            i = j + 1
        }
        return ranks
    }

    /// The pixel indices (`height × width`, row-major) from the largest `map` value to the smallest.
    public static func order(_ map: [Float]) -> [Int] {
        map.indices.sorted { map[$0] > map[$1] || (map[$0] == map[$1] && $0 < $1) }
    }

    /// The class score of `image` (`[1, height, width, channels]`) as the pixels of `order` are
    /// set to `baseline` (all channels), a fraction `1 / steps` of the pixels at a time: `steps + 1`
    /// scores, from the untouched image to the fully deleted one.
    /// - Throws: ``ExplainError`` for a bad image, order, number of steps or target.
    public static func deletionCurve(_ runner: ModelRunner, image: Tensor, target: Int, order: [Int],
                                     steps: Int = 20, baseline: Float = 0) throws -> [Float] {
        guard image.rank == 4, image.shape[0] == 1 else { throw ExplainError("expected an image [1, height, width, channels], got \(image.shape)") }
        let (h, w, c) = (image.shape[1], image.shape[2], image.shape[3])
        guard order.count == h * w, steps >= 1 else {
            throw ExplainError("deletion needs one index per pixel (\(h * w), got \(order.count)) and at least 1 step")
        }
        var current = image.scalars, batch = current
        for s in 1...steps {
            for p in order[((s - 1) * order.count / steps)..<(s * order.count / steps)] {
                for ch in 0..<c { current[p * c + ch] = baseline }
            }
            batch += current
        }
        return try runner.scores(Tensor(batch, shape: [steps + 1, h, w, c]), target: target)
    }

    /// The area under a curve sampled at evenly spaced points of [0, 1] (trapezoid rule).
    public static func area(_ curve: [Float]) -> Double {
        guard curve.count > 1 else { return Double(curve.first ?? 0) }
        var total = 0.0
        for i in 1..<curve.count { total += Double(curve[i - 1] + curve[i]) / 2 }
        return total / Double(curve.count - 1)
    }
}
