import Foundation

/// Tick positions and labels for chart axes: "nice" steps of 1, 2 or 5 times a power of ten on
/// linear axes, decades (and 2, 5 between them on short ranges) on logarithmic ones.
public enum AxisTicks {
    /// The ticks of a linear axis over `range`: multiples of the smallest step of 1, 2 or 5 × 10ⁿ
    /// (and at least `minimumStep`) that gives at most `maximumCount` ticks.
    ///
    /// ```swift
    /// AxisTicks.linear(0...1)   // [0, 0.2, 0.4, 0.6, 0.8, 1]
    /// ```
    public static func linear(_ range: ClosedRange<Double>, maximumCount: Int = 8, minimumStep: Double = 0) -> [Double] {
        guard range.lowerBound.isFinite, range.upperBound.isFinite else { return [] }
        let span = range.upperBound - range.lowerBound
        guard span.isFinite else { return [] }
        guard span > 0 else { return [range.lowerBound] }
        let count = max(maximumCount, 2)
        var exponent = Int((log10(span / Double(count))).rounded(.down))
        while true {
            for mantissa in [1.0, 2, 5] {
                let step = power(mantissa, exponent)
                guard step >= minimumStep else { continue }
                let first = (range.lowerBound / step - 1e-9).rounded(.up), last = (range.upperBound / step + 1e-9).rounded(.down)
                if step > 0, last - first + 1 <= Double(count) {
                    return (0...Int(last - first)).map { power(mantissa * (first + Double($0)), exponent) }
                }
            }
            exponent += 1
        }
    }

    /// The ticks of a logarithmic axis over `range` (both ends positive): powers of ten, every
    /// k-th decade when there are more than `maximumCount`; 1, 2 and 5 × 10ⁿ when the range holds
    /// fewer than two decades; linear ticks when even those are fewer than two.
    ///
    /// ```swift
    /// AxisTicks.logarithmic(1e-4...1)   // [0.0001, 0.001, 0.01, 0.1, 1]
    /// ```
    public static func logarithmic(_ range: ClosedRange<Double>, maximumCount: Int = 8) -> [Double] {
        guard range.lowerBound > 0, range.upperBound.isFinite else { return [] }
        let low = log10(range.lowerBound), high = log10(range.upperBound)
        let first = Int((low - 1e-9).rounded(.up)), last = Int((high + 1e-9).rounded(.down))
        let decades = last - first + 1
        if decades >= 2 {
            let every = (decades + max(maximumCount, 2) - 1) / max(maximumCount, 2)
            return stride(from: first, through: last, by: every).map { power(1, $0) }
        }
        let candidates = ((first - 1)...(last + 1)).flatMap { e in [1.0, 2, 5].map { power($0, e) } }
        let inside = candidates.filter { range.contains($0 * (1 + 1e-12)) || range.contains($0) }
        return inside.count >= 2 ? inside : linear(range, maximumCount: maximumCount)
    }

    /// Labels for `ticks` with as many decimals as their spacing needs ("0.2", "1.5", "100"),
    /// in exponent form ("1e-5", "2e+06") for very small or very large values.
    public static func labels(for ticks: [Double]) -> [String] {
        let magnitudes = ticks.map(abs).filter { $0 > 0 }
        guard let largest = magnitudes.max(), let smallest = magnitudes.min() else { return ticks.map { _ in "0" } }
        let gaps = zip(ticks, ticks.dropFirst()).map { abs($1 - $0) }.filter { $0 > 0 }
        let logarithmic = gaps.count >= 2 && largest / smallest >= 100
        if logarithmic || largest >= 1e6 || largest < 1e-3 {
            return ticks.map { compact($0) }
        }
        let step = gaps.min() ?? largest
        let decimals = min(max(0, Int((-log10(step) - 1e-6).rounded(.up))), 10)
        return ticks.map { value in
            let text = String(format: "%.\(decimals)f", value)
            return Double(text) == 0 ? String(format: "%.\(decimals)f", 0.0) : text
        }
    }

    /// The shortest form of `value`: "0.001", "250", "1e-05" → "1e-5".
    static func compact(_ value: Double) -> String {
        var text = String(format: "%g", value)
        if text.contains("e") {
            text = text.replacingOccurrences(of: "e-0", with: "e-").replacingOccurrences(of: "e+0", with: "e").replacingOccurrences(of: "e+", with: "e")
        }
        return text
    }

    /// `mantissa × 10^exponent`, exact for the decimal values ticks take (dividing by a power of
    /// ten rounds once, so 3 × 0.2 comes out as 0.6).
    static func power(_ mantissa: Double, _ exponent: Int) -> Double {
        exponent >= 0 ? mantissa * pow(10, Double(exponent)) : mantissa / pow(10, Double(-exponent))
    }
}
