import Testing
import LeptonTensor
import LeptonTestSupport

/// Gradient checks of dropout (`Ops/Tensor+Dropout.swift`). The generator is re-created
/// inside the checked function, so every evaluation draws the same mask.
@Suite struct DropoutGradientTests {
    @Test(arguments: TestSupport.backendNames, [Float(0.1), 0.5, 0.9])
    func training(backend: String, p: Float) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([4, 5], seed: 1)
            let result = GradientChecker.check([x]) {
                var rng = RandomGenerator(seed: 42)
                return $0[0].dropout(p, generator: &rng)
            }
            #expect(result.passed, "dropout p = \(p): \(result)")
        }
    }

    /// The gradient is the mask: zero where dropped, `1 / (1 − p)` where kept.
    @Test(arguments: TestSupport.backendNames)
    func gradientIsTheMask(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = Tensor.ones([200]).requiringGrad()
            var rng = RandomGenerator(seed: 3)
            let y = x.dropout(0.25, generator: &rng)
            y.sum().backward()
            #expect(x.grad!.scalars == y.scalars)
            let allowed: Set<Float> = [0, 1 / 0.75]
            #expect(Set(x.grad!.scalars).isSubset(of: allowed))
        }
    }

    /// In evaluation mode, and with p = 0, dropout is the identity.
    @Test(arguments: TestSupport.backendNames)
    func identityCases(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([3, 4], seed: 2)
            for (p, training) in [(Float(0.5), false), (0, true)] {
                let result = GradientChecker.check([x]) {
                    var rng = RandomGenerator(seed: 1)
                    return $0[0].dropout(p, training: training, generator: &rng) * 2
                }
                #expect(result.passed, "dropout p = \(p), training \(training): \(result)")
                #expect(result.worst.map { Swift.abs($0.analytic - $0.numeric) < 1e-3 } ?? false)
            }
        }
    }

    /// A generator shared across evaluations changes the mask: the checker reports it.
    @Test(arguments: TestSupport.backendNames)
    func nonDeterministicFunctionIsReported(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([3, 4], seed: 2)
            var rng = RandomGenerator(seed: 1)
            let result = GradientChecker.check([x]) { $0[0].dropout(0.5, generator: &rng) }
            #expect(!result.passed)
            #expect(result.notes.contains { $0.contains("not deterministic") })
        }
    }
}
