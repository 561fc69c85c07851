import LeptonNN
import LeptonTensor
import LeptonTestSupport
import Testing

/// `Normalization.Moments` (Layers/Preprocessing/NormalizationMoments.swift): statistics gathered
/// batch by batch equal those of all the data at once, computed here in double precision; batches
/// that do not fit are refused.
@Suite struct NormalizationMomentsTests {
    /// Mean and population variance per feature of `x`'s last axis (or over all values), in doubles.
    static func reference(_ x: Tensor, perFeature: Bool) -> (mean: [Double], variance: [Double]) {
        let values = x.scalars.map(Double.init), features = perFeature ? x.shape.last! : 1
        var mean = [Double](repeating: 0, count: features), variance = mean
        for (i, v) in values.enumerated() { mean[i % features] += v }
        let n = Double(values.count / features)
        mean = mean.map { $0 / n }
        for (i, v) in values.enumerated() { variance[i % features] += (v - mean[i % features]) * (v - mean[i % features]) }
        return (mean, variance.map { $0 / n })
    }

    @Test(arguments: [-1, nil] as [Int?])
    func batchesGiveTheStatisticsOfTheWhole(axis: Int?) throws {
        // Values far from zero with a small spread: where a float one-pass formula would lose digits.
        let x = TestSupport.randn([70, 3, 2, 4], seed: 11, scale: 0.5) + 1000
        var moments = Normalization.Moments(axis: axis)
        for (start, end) in [(0, 5), (5, 6), (6, 40), (40, 70)] { try moments.add(x.slice(axis: 0, start: start, end: end)) }
        #expect(moments.count == (axis == nil ? 70 * 24 : 70 * 6))
        let layer = Normalization(axis: axis)
        try layer.adapt(moments)
        let expected = Self.reference(x, perFeature: axis != nil)
        let mean = try #require(layer.mean).scalars, variance = try #require(layer.variance).scalars
        #expect(mean.count == expected.mean.count && variance.count == expected.variance.count)
        for f in mean.indices {
            #expect(abs(Double(mean[f]) - expected.mean[f]) < 1e-3)
            #expect(abs(Double(variance[f]) / expected.variance[f] - 1) < 1e-5, "feature \(f): \(variance[f]) vs \(expected.variance[f])")
        }
        // The whole tensor at once is the same as the batches.
        let whole = Normalization(axis: axis)
        try whole.adapt(x)
        #expect(zip(try #require(whole.mean).scalars, mean).allSatisfy { abs($0 / $1 - 1) < 1e-6 })
        #expect(zip(try #require(whole.variance).scalars, variance).allSatisfy { abs($0 / $1 - 1) < 1e-6 })
    }

    @Test func batchesThatDoNotFitAreRefused() throws {
        var moments = Normalization.Moments(axis: -1)
        try moments.add(Tensor.ones([2, 3]))
        #expect { try moments.add(Tensor.ones([2, 4])) } throws: { "\($0)".contains("a batch of samples [4] after samples [3]") }
        var scalars = Normalization.Moments(axis: 1)
        #expect { try scalars.add(Tensor.ones([5])) } throws: { "\($0)".contains("axis 1 is not a feature axis of data of shape [5]") }
        #expect { try Normalization(axis: -1).adapt(Normalization.Moments(axis: -1)) } throws: { "\($0)".contains("no samples") }
        #expect { try Normalization(axis: nil).adapt(moments) } throws: { "\($0)".contains("moments over axis -1") }
    }
}
