import Testing
import LeptonTensor
import LeptonTestSupport

/// The fused layer normalisation (`Ops/Tensor+LayerNorm.swift`): its forward against the same
/// formula composed from elementary ops, and its gradients for input, gamma and beta, on every
/// backend. The large shape reaches the CPU backend's threaded paths (including the per-thread
/// partial sums of gamma's and beta's gradients).
@Suite struct LayerNormTests {
    static let shapes: [[Int]] = [[3, 5], [2, 4, 7], [300, 128]]

    /// `(x − mean) / √(var + ε) · gamma + beta` from elementary ops.
    static func composed(_ x: Tensor, _ gamma: Tensor?, _ beta: Tensor?, _ epsilon: Float) -> Tensor {
        let mean = x.mean(axes: [-1], keepDims: true)
        let centered = x - mean
        let variance = centered.square().mean(axes: [-1], keepDims: true)
        var y = centered / (variance + epsilon).sqrt()
        if let gamma { y = y * gamma }
        if let beta { y = y + beta }
        return y
    }

    @Test(arguments: TestSupport.backendNames, shapes)
    func forwardMatchesComposed(backend: String, shape: [Int]) {
        Device.with(TestSupport.backend(named: backend)) {
            let d = shape.last!
            let x = TestSupport.randn(shape, seed: 11, scale: 3) + 2
            let gamma = TestSupport.uniform([d], seed: 12, low: 0.5, high: 1.5)
            let beta = TestSupport.randn([d], seed: 13, scale: 0.5)
            for epsilon: Float in [1e-5, 1e-3] {
                for (g, b) in [(gamma, beta), (nil, nil), (gamma, nil), (nil, beta)] as [(Tensor?, Tensor?)] {
                    let actual = x.layerNorm(gamma: g, beta: b, epsilon: epsilon)
                    let expected = Self.composed(x, g, b, epsilon)
                    #expect(actual.shape == shape)
                    let err = TestSupport.maxRelativeError(actual.scalars, expected.scalars)
                    #expect(err <= 1e-5, "layerNorm \(shape) ε \(epsilon) gamma \(g != nil) beta \(b != nil): error \(err)")
                }
            }
        }
    }

    /// A large constant offset: the two-pass statistics keep the normalised values accurate.
    @Test(arguments: TestSupport.backendNames)
    func largeOffsetStaysAccurate(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([4, 64], seed: 14) + 1000
            let y = x.layerNorm()
            let rows = y.scalars
            for r in 0..<4 {
                let row = rows[(r * 64)..<((r + 1) * 64)]
                let mean = row.reduce(0, +) / 64
                let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 64
                #expect(abs(mean) < 1e-3 && abs(variance - 1) < 1e-2, "row \(r): mean \(mean) variance \(variance)")
            }
        }
    }

    @Test(arguments: TestSupport.backendNames, shapes)
    func gradients(backend: String, shape: [Int]) {
        Device.with(TestSupport.backend(named: backend)) {
            let d = shape.last!
            let x = TestSupport.randn(shape, seed: 21, scale: 2) + 1
            let gamma = TestSupport.uniform([d], seed: 22, low: 0.5, high: 1.5)
            let beta = TestSupport.randn([d], seed: 23, scale: 0.5)
            let limit = shape.reduce(1, *) > 1000 ? 24 : nil
            let result = GradientChecker.check([x, gamma, beta], maxElementsPerInput: limit) {
                $0[0].layerNorm(gamma: $0[1], beta: $0[2], epsilon: 1e-5)
            }
            #expect(result.passed, "layerNorm \(shape): \(result)")
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func gradientsWithoutAffine(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([2, 4, 7], seed: 31, scale: 2)
            let gamma = TestSupport.uniform([7], seed: 32, low: 0.5, high: 1.5)
            let plain = GradientChecker.check([x]) { $0[0].layerNorm(epsilon: 1e-3) }
            #expect(plain.passed, "layerNorm without gamma and beta: \(plain)")
            let scaled = GradientChecker.check([x, gamma]) { $0[0].layerNorm(gamma: $0[1]) }
            #expect(scaled.passed, "layerNorm with gamma only: \(scaled)")
        }
    }

    /// Gradients reach gamma and beta through `backward()` and match the composed formula's.
    @Test(arguments: TestSupport.backendNames)
    func backwardMatchesComposed(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let shape = [300, 128]
            let x0 = TestSupport.randn(shape, seed: 41, scale: 2)
            let w = TestSupport.randn(shape, seed: 44)
            func grads(_ f: (Tensor, Tensor, Tensor) -> Tensor) -> [[Float]] {
                let x = x0.detach().requiringGrad()
                let g = TestSupport.uniform([128], seed: 42, low: 0.5, high: 1.5).requiringGrad()
                let b = TestSupport.randn([128], seed: 43).requiringGrad()
                (f(x, g, b) * w).sum().backward()
                return [x.grad!.scalars, g.grad!.scalars, b.grad!.scalars]
            }
            let fused = grads { $0.layerNorm(gamma: $1, beta: $2) }
            let reference = grads { Self.composed($0, $1, $2, 1e-5) }
            for (i, name) in ["input", "gamma", "beta"].enumerated() {
                let err = TestSupport.maxRelativeError(fused[i], reference[i])
                #expect(err <= 1e-4, "gradient w.r.t. \(name): error \(err)")
            }
        }
    }
}
