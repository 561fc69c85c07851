import LeptonCompress
import LeptonTensor
import LeptonTestSupport
import Testing

/// `FakeQuantization` (QAT/FakeQuantization.swift): values on the int8 model's grid (what
/// `ActivationQuantization` and `WeightQuantization` give), and the straight-through gradient
/// with clipping — 1 inside the quantised range, 0 outside.
@Suite struct FakeQuantizationTests {
    @Test func activationsEqualQuantiseThenDequantise() {
        let q = ActivationQuantization(minimum: -1.3, maximum: 4.1)
        let x = TestSupport.uniform([500], seed: 1, low: -3, high: 6)
        let y = FakeQuantization.activations(x, q).scalars
        for (value, fake) in zip(x.scalars, y) {
            let exact = q.value(q.code(value))
            #expect(abs(fake - exact) <= 1e-6 * max(1, abs(exact)), "\(value): \(fake) vs \(exact)")
        }
    }

    @Test func activationGradientPassesOnlyInsideTheRange() {
        let q = ActivationQuantization(minimum: -1, maximum: 2)
        let low = q.value(0), high = q.value(255)
        let x = Tensor([-2, low - 0.01, -0.5, 0, 0.3, 1.9, high + 0.01, 5], shape: [8]).requiringGrad()
        FakeQuantization.activations(x, q).sum().backward()
        #expect(x.grad?.scalars == [0, 0, 1, 1, 1, 1, 0, 0])
    }

    @Test func weightsEqualWeightQuantization() {
        // A Dense kernel [in 6, units 4]: channels along axis 1.
        let kernel = TestSupport.randn([6, 4], seed: 2)
        let w = kernel.scalars
        var rows = [Float](repeating: 0, count: 24)
        for k in 0..<6 { for n in 0..<4 { rows[n * 6 + k] = w[k * 4 + n] } }
        let reference = WeightQuantization(weights: rows, channels: 4, depth: 6)
        let scales = FakeQuantization.weightScales(kernel, channelAxis: 1)
        #expect(scales == reference.scales)
        let fake = FakeQuantization.weights(kernel, scales: scales, channelAxis: 1).scalars
        for k in 0..<6 { for n in 0..<4 {
            let exact = Float(reference.codes[n * 6 + k]) * reference.scales[n]
            #expect(abs(fake[k * 4 + n] - exact) <= 1e-6, "[\(k), \(n)]")
        } }
    }

    @Test func weightGradientStopsWhereFrozenScalesClip() {
        // Conv-like layout [filters 2, 3]: channels along axis 0; scale 0.01 clips beyond ±1.27.
        let w = Tensor([0.5, -2, 1.2, 0.1, 3, -0.2], shape: [2, 3]).requiringGrad()
        let y = FakeQuantization.weights(w, scales: [0.01, 0.02], channelAxis: 0)
        #expect(zip(y.scalars, [0.5, -1.27, 1.2, 0.1, 2.54, -0.2] as [Float]).allSatisfy { abs($0 - $1) < 1e-6 }, "\(y.scalars)")
        y.sum().backward()
        #expect(w.grad?.scalars == [1, 0, 1, 1, 0, 1])
    }

    @Test func allZeroChannelGetsScaleOne() {
        #expect(FakeQuantization.weightScales(Tensor.zeros([3, 2]), channelAxis: 1) == [1, 1])
    }
}
