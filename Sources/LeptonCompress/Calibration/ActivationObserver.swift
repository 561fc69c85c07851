import LeptonTensor

/// What the input of one layer looked like over the calibration batches: its range (first pass)
/// and a histogram over that range (second pass, for percentile and entropy calibration).
final class ActivationObserver {
    static let bins = 2048
    private(set) var minimum = Float.infinity
    private(set) var maximum = -Float.infinity
    private(set) var histogram: [Double] = []
    private(set) var count = 0

    /// First pass: widens the range to `x`'s finite values.
    func observeRange(_ x: Tensor) {
        let p = x.floats
        var low = minimum, high = maximum
        for i in 0..<x.count where p[i].isFinite {
            low = min(low, p[i])
            high = max(high, p[i])
        }
        minimum = low
        maximum = high
    }

    /// The width of one histogram bin.
    var binWidth: Float { maximum > minimum ? (maximum - minimum) / Float(Self.bins) : 1 }

    /// Second pass: counts `x`'s values into the histogram over the range found.
    func observeHistogram(_ x: Tensor) {
        if histogram.isEmpty { histogram = [Double](repeating: 0, count: Self.bins) }
        let p = x.floats, inverse = 1 / binWidth, low = minimum
        for i in 0..<x.count where p[i].isFinite {
            let bin = Int((p[i] - low) * inverse)
            histogram[min(max(bin, 0), Self.bins - 1)] += 1
        }
        count += x.count
    }

    /// The quantisation of the range `method` picks.
    func quantization(_ method: CalibrationMethod, percentile: Double) -> ActivationQuantization {
        guard minimum <= maximum else { return ActivationQuantization(minimum: 0, maximum: 0) }
        switch method {
        case .minmax:
            return ActivationQuantization(minimum: minimum, maximum: maximum)
        case .percentile:
            let total = histogram.reduce(0, +)
            let lowBin = binAt(fraction: (100 - percentile) / 100, total: total)
            let highBin = binAt(fraction: percentile / 100, total: total)
            return ActivationQuantization(minimum: minimum + Float(lowBin) * binWidth,
                                          maximum: minimum + Float(highBin + 1) * binWidth)
        case .entropy:
            // The exact zeros a ReLU makes fill one bin; left in, that spike decides the search
            // (every candidate spreads it over a level's bins) and it clips far too much. As
            // NVIDIA's pytorch-quantization does, it counts like its neighbour.
            var counts = histogram
            let zeroBin = Int(-minimum / binWidth)
            if minimum <= 0, maximum >= 0, counts.count > 1, zeroBin < counts.count {
                counts[zeroBin] = counts[zeroBin + 1 < counts.count ? zeroBin + 1 : zeroBin - 1]
            }
            let end = EntropyCalibration.bestEnd(counts, levels: 255)
            return ActivationQuantization(minimum: minimum, maximum: minimum + Float(end) * binWidth)
        }
    }

    /// The first bin at which the cumulative count reaches `fraction` of `total`.
    private func binAt(fraction: Double, total: Double) -> Int {
        var seen = 0.0
        for (i, c) in histogram.enumerated() {
            seen += c
            if seen >= fraction * total { return i }
        }
        return histogram.count - 1
    }
}
