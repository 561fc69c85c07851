import Testing
import LeptonTensor
import LeptonTestSupport

/// Gradient checks of the reductions in `Ops/Tensor+Reduction.swift`, over single and
/// multiple axes, negative axes and `keepDims`.
@Suite struct ReductionGradientTests {
    static let axisChoices: [[Int]?] = [nil, [0], [1], [-1], [0, 2], [1, 2], [0, 1, 2], []]

    @Test(arguments: TestSupport.backendNames)
    func sum(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([2, 3, 4], seed: 1)
            for axes in Self.axisChoices {
                for keep in [false, true] {
                    let result = GradientChecker.check([x]) { $0[0].sum(axes: axes, keepDims: keep) }
                    #expect(result.passed, "sum(axes: \(String(describing: axes)), keepDims: \(keep)): \(result)")
                }
            }
            let one = GradientChecker.check([x]) { $0[0].sum(axis: -2, keepDims: true) }
            #expect(one.passed, "sum(axis: -2): \(one)")
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func mean(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([2, 3, 4], seed: 2)
            for axes in Self.axisChoices {
                for keep in [false, true] {
                    let result = GradientChecker.check([x]) { $0[0].mean(axes: axes, keepDims: keep) }
                    #expect(result.passed, "mean(axes: \(String(describing: axes)), keepDims: \(keep)): \(result)")
                }
            }
            let one = GradientChecker.check([x]) { $0[0].mean(axis: 1) }
            #expect(one.passed, "mean(axis: 1): \(one)")
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func variance(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([2, 3, 4], seed: 3)
            for axes in Self.axisChoices where axes != [] {
                for correction in [0, 1] {
                    let result = GradientChecker.check([x]) {
                        $0[0].variance(axes: axes, keepDims: correction == 1, correction: correction)
                    }
                    #expect(result.passed, "variance(axes: \(String(describing: axes)), correction: \(correction)): \(result)")
                }
            }
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func maxAndMin(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            // Distinct values: no ties, so the maximum is differentiable.
            let x = GradientChecker.distinct([2, 3, 4], seed: 4)
            for axes in Self.axisChoices {
                for keep in [false, true] {
                    let mx = GradientChecker.check([x]) { $0[0].max(axes: axes, keepDims: keep) }
                    #expect(mx.passed, "max(axes: \(String(describing: axes)), keepDims: \(keep)): \(mx)")
                    let mn = GradientChecker.check([x]) { $0[0].min(axes: axes, keepDims: keep) }
                    #expect(mn.passed, "min(axes: \(String(describing: axes)), keepDims: \(keep)): \(mn)")
                }
            }
        }
    }

    /// Ties split the gradient evenly among the extremal elements.
    @Test(arguments: TestSupport.backendNames)
    func maxTiesSplitGradient(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = Tensor([1, 3, 3, 0, 2, 2, 2, -1], shape: [2, 4]).requiringGrad()
            x.max(axes: [1]).sum().backward()
            let third: Float = 1.0 / 3
            let expected: [Float] = [0, 0.5, 0.5, 0, third, third, third, 0]
            #expect(x.grad!.scalars == expected)
            let y = Tensor([5, 5, 5, 5], shape: [4]).requiringGrad()
            y.min().backward()
            #expect(y.grad!.scalars == [0.25, 0.25, 0.25, 0.25])
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func logSumExp(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([2, 3, 4], seed: 5, scale: 2)
            for axes in Self.axisChoices where axes != [] {
                for keep in [false, true] {
                    let result = GradientChecker.check([x]) { $0[0].logSumExp(axes: axes, keepDims: keep) }
                    #expect(result.passed, "logSumExp(axes: \(String(describing: axes)), keepDims: \(keep)): \(result)")
                }
            }
            // Large values: the shift by the maximum keeps it finite.
            let big = x * 10 + 100
            let shifted = GradientChecker.check([big], epsilon: 0.05) { $0[0].logSumExp(axes: [1]) }
            #expect(shifted.passed, "logSumExp of large values: \(shifted)")
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func randomShapes(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            var rng = RandomGenerator(seed: 99)
            for trial in 0..<4 {
                let rank = Int.random(in: 1...4, using: &rng)
                let shape = GradientChecker.randomShape(rank: rank, sizes: 1...3, using: &rng)
                let axes = (0..<rank).filter { _ in Bool.random(using: &rng) }
                let x = GradientChecker.distinct(shape, seed: UInt64(trial))
                let keep = trial % 2 == 0
                let checks: [(String, (Tensor) -> Tensor)] = [
                    ("sum", { $0.sum(axes: axes, keepDims: keep) }),
                    ("mean", { $0.mean(axes: axes, keepDims: keep) }),
                    ("max", { $0.max(axes: axes, keepDims: keep) }),
                    ("min", { $0.min(axes: axes, keepDims: keep) }),
                ]
                for (name, f) in checks {
                    let result = GradientChecker.check([x]) { f($0[0]) }
                    #expect(result.passed, "\(name) of \(shape) over \(axes): \(result)")
                }
            }
        }
    }
}
