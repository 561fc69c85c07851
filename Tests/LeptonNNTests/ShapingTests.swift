import Testing
import LeptonTensor
import LeptonTestSupport
import LeptonNN

/// `Flatten`, `Reshape` and `Dropout` (Layers/Shaping.swift).
@Suite struct ShapingTests {
    @Test func flattenKeepsBatchAxis() {
        let x = TestSupport.randn([2, 3, 4, 5], seed: 1)
        let y = Flatten()(x)
        #expect(y.shape == [2, 60])
        #expect(y.scalars == x.scalars)
        #expect(Flatten()(Tensor.ones([4, 3])).shape == [4, 3])
        #expect(Flatten()(Tensor.ones([4])).shape == [4, 1])   // Keras: (batch,) → (batch, 1)
        let g = GradientChecker.check([TestSupport.randn([2, 3, 2], seed: 2)]) { Flatten()($0[0]) }
        #expect(g.passed, "\(g)")
    }

    @Test func reshapeKeepsBatchAxis() {
        let x = TestSupport.randn([3, 12], seed: 3)
        #expect(Reshape([3, 4])(x).shape == [3, 3, 4])
        #expect(Reshape([-1, 2])(x).shape == [3, 6, 2])
        #expect(Reshape([2, 2, 3])(x).scalars == x.scalars)
        let g = GradientChecker.check([x]) { Reshape([4, -1])($0[0]) }
        #expect(g.passed, "\(g)")
    }

    @Test func dropoutIsIdentityInEvaluation() {
        let layer = Dropout(rate: 0.5, seed: 1)
        layer.eval()
        let x = TestSupport.randn([8, 8], seed: 4)
        #expect(layer(x).scalars == x.scalars)
    }

    @Test(arguments: [Float(0.1), 0.3, 0.5, 0.8])
    func dropoutRateAndScaleInTraining(rate: Float) {
        let layer = Dropout(rate: rate, seed: 7)
        let n = 40_000
        let y = layer(Tensor.ones([n])).scalars
        let zeros = y.filter { $0 == 0 }.count
        // Binomial(n, rate): allow 5 standard deviations.
        let sd = (Double(n) * Double(rate) * Double(1 - rate)).squareRoot()
        #expect(abs(Double(zeros) - Double(n) * Double(rate)) < 5 * sd, "dropped \(zeros) of \(n) at rate \(rate)")
        // Survivors are scaled by 1 / (1 − rate), so the expectation is preserved.
        let scale = 1 / (1 - rate)
        #expect(y.allSatisfy { $0 == 0 || abs($0 - scale) < 1e-6 })
        let mean = y.reduce(0.0) { $0 + Double($1) } / Double(n)
        #expect(abs(mean - 1) < 5 * sd / Double(n) * Double(scale))
    }

    @Test func dropoutRateZeroIsIdentity() {
        let x = TestSupport.randn([5, 5], seed: 5)
        #expect(Dropout(rate: 0, seed: 1)(x).scalars == x.scalars)
    }

    @Test func dropoutIsRepeatableWithASeed() {
        let x = Tensor.ones([10, 20])
        let a = Dropout(rate: 0.4, seed: 42), b = Dropout(rate: 0.4, seed: 42), c = Dropout(rate: 0.4, seed: 43)
        let first = a(x).scalars
        #expect(first == b(x).scalars)
        #expect(first != c(x).scalars)
        #expect(a(x).scalars != first)   // the generator advances from call to call
    }

    @Test func dropoutGradientIsTheMask() {
        let layer = Dropout(rate: 0.5, seed: 9)
        let x = TestSupport.randn([4, 6], seed: 6).requiringGrad()
        let y = layer(x)
        y.sum().backward()
        let mask = y.scalars.enumerated().map { i, v in v == 0 ? Float(0) : v / x.scalars[i] }
        for (g, m) in zip(x.grad!.scalars, mask) { #expect(abs(g - m) < 1e-5) }
        #expect(Set(x.grad!.scalars).isSubset(of: [0, 2]))
    }
}
