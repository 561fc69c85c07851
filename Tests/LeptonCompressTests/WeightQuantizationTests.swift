import LeptonCompress
import Testing

/// `WeightQuantization` (Quantization/WeightQuantization.swift): per-channel symmetric codes, the
/// full int8 range by default and -64...64 with `reduceRange`, with the sums the kernels subtract.
@Suite struct WeightQuantizationTests {
    static let weights: [Float] = [0.4, -1.0, 0.25, 0.0, /* channel 1 */ 2.0, 0.9, -0.5, 0.125]

    @Test func fullRangeMapsEachChannelsLargestWeightTo127() {
        let q = WeightQuantization(weights: Self.weights, channels: 2, depth: 4)
        #expect(q.scales == [1.0 / 127, 2.0 / 127])
        #expect(q.codes == [51, -127, 32, 0, 127, 57, -32, 8])
        #expect(q.sums == [-44, 160])
    }

    @Test func reducedRangeMapsItTo64() {
        let q = WeightQuantization(weights: Self.weights, channels: 2, depth: 4, reduceRange: true)
        #expect(q.scales == [1.0 / 64, 2.0 / 64])
        #expect(q.codes == [26, -64, 16, 0, 64, 29, -16, 4])
        #expect(q.sums == [-22, 81])
    }

    @Test func givenScalesAreClippedToTheRange() {
        let q = WeightQuantization(weights: Self.weights, channels: 2, depth: 4, scales: [0.01, 0.01], reduceRange: true)
        #expect(q.codes.allSatisfy { abs(Int($0)) <= 64 })
        #expect(q.codes[0] == 40 && q.codes[1] == -64 && q.codes[4] == 64)
    }
}
