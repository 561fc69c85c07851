import Testing
import LeptonTensor
import LeptonTestSupport

/// Gradient checks of `Ops/Tensor+Join.swift`: concatenate, stack, split and constant padding.
@Suite struct JoinGradientTests {
    @Test(arguments: TestSupport.backendNames)
    func concatenate(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let a = TestSupport.randn([2, 3, 2], seed: 1)
            let b = TestSupport.randn([2, 1, 2], seed: 2)
            let c = TestSupport.randn([2, 4, 2], seed: 3)
            let mid = GradientChecker.check([a, b, c]) { Tensor.concatenate($0, axis: 1) }
            #expect(mid.passed, "concatenate axis 1: \(mid)")
            let first = GradientChecker.check([a, TestSupport.randn([3, 3, 2], seed: 4)]) { Tensor.concatenate($0, axis: 0) }
            #expect(first.passed, "concatenate axis 0: \(first)")
            let last = GradientChecker.check([a, TestSupport.randn([2, 3, 1], seed: 5)]) { Tensor.concatenate($0, axis: -1) }
            #expect(last.passed, "concatenate axis -1: \(last)")
            let single = GradientChecker.check([a]) { Tensor.concatenate($0, axis: 2) }
            #expect(single.passed, "concatenate of one tensor: \(single)")
            // The same tensor twice, and one input not checked.
            let twice = GradientChecker.check([a, b], checking: [0]) { Tensor.concatenate([$0[0], $0[1], $0[0]], axis: 1) }
            #expect(twice.passed, "concatenate [a, b, a]: \(twice)")
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func stack(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let xs = (0..<3).map { TestSupport.randn([2, 3], seed: UInt64(10 + $0)) }
            for axis in [0, 1, 2, -1] {
                let result = GradientChecker.check(xs) { Tensor.stack($0, axis: axis) }
                #expect(result.passed, "stack axis \(axis): \(result)")
            }
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func split(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([3, 6], seed: 20)
            // Recombine the pieces non-uniformly, so that each piece's gradient differs.
            let sizes = GradientChecker.check([x]) {
                let parts = $0[0].split(sizes: [1, 3, 2], axis: 1)
                return Tensor.concatenate([parts[2] * 3, parts[0].exp(), parts[1] * -1], axis: 1)
            }
            #expect(sizes.passed, "split(sizes:): \(sizes)")
            let parts = GradientChecker.check([x]) {
                let p = $0[0].split(parts: 3, axis: 0)
                return p[0] * p[1] + p[2]
            }
            #expect(parts.passed, "split(parts:): \(parts)")
            let unused = GradientChecker.check([x]) { $0[0].split(parts: 2, axis: -1)[1].square() }
            #expect(unused.passed, "one piece unused: \(unused)")
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func pad(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([2, 3, 2], seed: 30)
            let cases: [[(Int, Int)]] = [[(1, 2)], [(0, 0), (2, 1)], [(1, 0), (0, 1), (2, 2)], [], [(0, 0), (0, 0), (1, 0)]]
            for widths in cases {
                for value: Float in [0, -1.5] {
                    // Multiplying by a non-uniform tensor makes the gradient of padded positions visible.
                    let result = GradientChecker.check([x]) {
                        let y = $0[0].pad(widths, value: value)
                        return y * Tensor.withoutGrad { Tensor.linspace(-1, 2, count: y.count).reshape(y.shape) }
                    }
                    #expect(result.passed, "pad \(widths) value \(value): \(result)")
                }
            }
        }
    }
}
