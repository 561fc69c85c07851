import Testing
import LeptonTensor
import LeptonTestSupport

/// Gradient checks of `matmul` (`Ops/Tensor+MatMul.swift`): 2-D, batched, broadcast batch
/// dimensions and 1-D operands.
@Suite struct MatMulGradientTests {
    static let shapes: [([Int], [Int])] = [
        ([3, 4], [4, 2]),          // matrix · matrix
        ([1, 5], [5, 1]),          // row · column
        ([2, 3, 4], [2, 4, 5]),    // batched
        ([2, 3, 4], [4, 2]),       // batch on the left only
        ([3, 4], [2, 4, 2]),       // batch on the right only
        ([2, 1, 3, 2], [3, 2, 4]), // broadcast batch dimensions
        ([4], [4, 3]),             // vector · matrix
        ([3, 4], [4]),             // matrix · vector
        ([4], [4]),                // dot product
        ([4], [2, 4, 3]),          // vector · batched matrices
        ([2, 3, 4], [4]),          // batched matrices · vector
    ]

    @Test(arguments: TestSupport.backendNames)
    func shapes(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            for (i, (sa, sb)) in Self.shapes.enumerated() {
                let a = TestSupport.randn(sa, seed: UInt64(i))
                let b = TestSupport.randn(sb, seed: UInt64(100 + i))
                let result = GradientChecker.check([a, b]) { $0[0].matmul($0[1]) }
                #expect(result.passed, "matmul \(sa) · \(sb): \(result)")
                let left = GradientChecker.check([a, b], checking: [0]) { $0[0].matmul($0[1]) }
                #expect(left.passed, "matmul wrt lhs only: \(left)")
                let right = GradientChecker.check([a, b], checking: [1]) { $0[0].matmul($0[1]) }
                #expect(right.passed, "matmul wrt rhs only: \(right)")
            }
        }
    }

    /// `matmul(transposed:)` against `matmul` of the made transpose, and its gradients.
    @Test(arguments: TestSupport.backendNames)
    func transposedOperand(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            for (i, (sa, sb)) in [([3, 4], [2, 4]), ([2, 3, 5], [4, 5]), ([5], [3, 5]), ([1, 1], [1, 1])].enumerated() {
                let a = TestSupport.randn(sa, seed: UInt64(200 + i)), b = TestSupport.randn(sb, seed: UInt64(300 + i))
                let fused = a.matmul(transposed: b).scalars, made = a.matmul(b.transposed()).scalars
                #expect(fused.count == made.count && zip(fused, made).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) },
                        "\(sa) · \(sb)ᵀ: \(fused) vs \(made)")
                let result = GradientChecker.check([a, b]) { $0[0].matmul(transposed: $0[1]) }
                #expect(result.passed, "matmul(transposed:) \(sa) · \(sb)ᵀ: \(result)")
            }
            let empty = Tensor.zeros([2, 0]).matmul(transposed: Tensor.zeros([3, 0]))
            #expect(empty.shape == [2, 3] && empty.scalars.allSatisfy { $0 == 0 }, "k = 0 gives zeros")
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func randomShapes(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            var rng = RandomGenerator(seed: 41)
            for trial in 0..<4 {
                let (m, k, n) = (Int.random(in: 1...4, using: &rng), Int.random(in: 1...5, using: &rng),
                                 Int.random(in: 1...4, using: &rng))
                let batch = GradientChecker.randomShape(rank: Int.random(in: 0...2, using: &rng), sizes: 1...3, using: &rng)
                let otherBatch = GradientChecker.broadcastableShape(to: batch, using: &rng)
                let a = TestSupport.randn(batch + [m, k], seed: UInt64(trial))
                let b = TestSupport.randn(otherBatch + [k, n], seed: UInt64(50 + trial))
                let result = GradientChecker.check([a, b]) { $0[0].matmul($0[1]) }
                #expect(result.passed, "matmul \(a.shape) · \(b.shape): \(result)")
            }
        }
    }

    /// The same tensor on both sides (a Gram matrix) and transposed operands.
    @Test(arguments: TestSupport.backendNames)
    func sharedAndTransposed(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([3, 4], seed: 7)
            let gram = GradientChecker.check([x]) { $0[0].matmul($0[0].transposed()) }
            #expect(gram.passed, "x · xᵀ: \(gram)")
            let w = TestSupport.randn([2, 4], seed: 8)
            let linear = GradientChecker.check([x, w, TestSupport.randn([2], seed: 9)]) {
                ($0[0].matmul($0[1].transposed()) + $0[2]).tanh()
            }
            #expect(linear.passed, "tanh(x · wᵀ + b): \(linear)")
        }
    }
}
