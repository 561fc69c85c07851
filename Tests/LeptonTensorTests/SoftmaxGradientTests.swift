import Testing
import LeptonTensor
import LeptonTestSupport

/// Gradient checks of softmax and log-softmax (`Ops/Tensor+Softmax.swift`) along every axis.
@Suite struct SoftmaxGradientTests {
    @Test(arguments: TestSupport.backendNames, [false, true])
    func alongEachAxis(backend: String, log: Bool) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([2, 3, 4], seed: 1, scale: 2)
            for axis in [0, 1, 2, -1, -2] {
                let result = GradientChecker.check([x]) { log ? $0[0].logSoftmax(axis: axis) : $0[0].softmax(axis: axis) }
                #expect(result.passed, "\(log ? "logSoftmax" : "softmax")(axis: \(axis)): \(result)")
            }
        }
    }

    @Test(arguments: TestSupport.backendNames, [false, true])
    func randomShapes(backend: String, log: Bool) {
        Device.with(TestSupport.backend(named: backend)) {
            var rng = RandomGenerator(seed: 5)
            for trial in 0..<4 {
                let rank = Int.random(in: 1...4, using: &rng)
                let shape = GradientChecker.randomShape(rank: rank, sizes: 1...4, using: &rng)
                let axis = Int.random(in: -rank..<rank, using: &rng)
                let x = TestSupport.randn(shape, seed: UInt64(trial), scale: 2)
                let result = GradientChecker.check([x]) { log ? $0[0].logSoftmax(axis: axis) : $0[0].softmax(axis: axis) }
                #expect(result.passed, "\(log ? "logSoftmax" : "softmax") \(shape) axis \(axis): \(result)")
            }
        }
    }

    /// Large logits: the kernels shift by the maximum, so the gradient stays finite.
    @Test(arguments: TestSupport.backendNames)
    func largeLogits(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([3, 5], seed: 2) + 80
            for log in [false, true] {
                let result = GradientChecker.check([x], epsilon: 0.05) { log ? $0[0].logSoftmax() : $0[0].softmax() }
                #expect(result.passed, "\(log ? "logSoftmax" : "softmax") of large logits: \(result)")
            }
        }
    }

    /// A cross-entropy built from the pieces, as losses will be.
    @Test(arguments: TestSupport.backendNames)
    func crossEntropyComposition(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let logits = TestSupport.randn([4, 5], seed: 3, scale: 2)
            let labels = Tensor(indices: [1, 0, 4, 2], shape: [4, 1])
            let result = GradientChecker.check([logits, labels]) {
                -$0[0].logSoftmax(axis: 1).gather(axis: 1, $0[1]).mean()
            }
            #expect(result.passed, "cross-entropy: \(result)")
            #expect(result.checkedElements == 20)
        }
    }
    /// Enough rows for the CPU backend to split softmax over threads.
    @Test(arguments: TestSupport.backendNames)
    func manyRows(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([20_000, 3], seed: 4)
            for log in [false, true] {
                let result = GradientChecker.check([x], maxElementsPerInput: 8) { log ? $0[0].logSoftmax() : $0[0].softmax() }
                #expect(result.passed, "\(log ? "logSoftmax" : "softmax") of [20000, 3]: \(result)")
            }
        }
    }
}
