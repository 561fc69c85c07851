import Testing
import LeptonTensor
import LeptonTestSupport

/// Gradient checks of the fused multi-head attention op (`Ops/Tensor+Attention.swift`):
/// queries, keys and values, unpacked and packed, with a mask (including a fully masked row)
/// and with dropout (the generator re-created for every evaluation, so the mask is fixed).
@Suite struct AttentionGradientTests {
    @Test(arguments: TestSupport.backendNames)
    func unpackedWithMask(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let (b, h, tq, tk, dk, dv) = (2, 2, 3, 4, 2, 3)
            let q = TestSupport.randn([b, tq, h * dk], seed: 1), k = TestSupport.randn([b, tk, h * dk], seed: 2)
            let v = TestSupport.randn([b, tk, h * dv], seed: 3)
            let keep = Tensor([1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0,
                               1, 1, 1, 1, 0, 1, 0, 1, 1, 0, 0, 1], shape: [b, 1, tq, tk])
            for mask in [nil, keep] as [Tensor?] {
                let result = GradientChecker.check([q, k, v]) {
                    Tensor.attention(query: $0[0], key: $0[1], value: $0[2], heads: h, keep: mask)
                }
                #expect(result.passed, "\(backend) mask \(mask != nil): \(result)")
            }
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func packedSelfAttention(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let (h, dk, dv) = (2, 2, 3)
            let packed = TestSupport.randn([2, 4, h * (2 * dk + dv)], seed: 4)
            let result = GradientChecker.check([packed]) {
                Tensor.attention(packed: $0[0], heads: h, keyDimensions: dk, valueDimensions: dv, scale: 0.8)
            }
            #expect(result.passed, "\(backend) packed: \(result)")
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func withDropout(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let packed = TestSupport.randn([2, 3, 12], seed: 5)
            let result = GradientChecker.check([packed]) {
                var generator = RandomGenerator(seed: 6)
                return Tensor.attention(packed: $0[0], heads: 2, keyDimensions: 2, dropout: 0.3, generator: &generator)
            }
            #expect(result.passed, "\(backend) dropout: \(result)")
        }
    }

    /// The softmax between the GEMMs is C built for each CPU (`lepton_attention_softmax`): every
    /// path gives the same bits, and they agree with the reference backend's `Double` loops.
    /// Rows of 37 keys exercise the 16-lane loops and their tails; the mask broadcasts over
    /// heads and masks one query's every key.
    @Test(arguments: KernelPath.allCases.filter(\.isSupported))
    func everyKernelPathGivesTheSameBits(path: KernelPath) {
        let (b, h, tq, tk, dk, dv) = (2, 2, 5, 37, 8, 4)
        let q = TestSupport.randn([b, tq, h * dk], seed: 11), k = TestSupport.randn([b, tk, h * dk], seed: 12)
        let v = TestSupport.randn([b, tk, h * dv], seed: 13), gy = TestSupport.randn([b, tq, h * dv], seed: 14)
        let keep = Tensor((0..<(b * tq * tk)).map { i -> Float in i / tk == 3 || i % 3 == 0 ? 0 : 1 }, shape: [b, 1, tq, tk])
        /// Forward and gradients, on tensors made on the current device.
        func run(_ mask: Tensor?) -> [[Float]] {
            func make(_ t: Tensor) -> Tensor { Tensor(t.scalars, shape: t.shape) }
            let inputs = [q, k, v].map { make($0).requiringGrad() }
            let y = Tensor.attention(query: inputs[0], key: inputs[1], value: inputs[2], heads: h, keep: mask.map(make))
            y.backward(make(gy))
            return [y.scalars] + inputs.map { $0.grad!.scalars }
        }
        for mask in [nil, keep] as [Tensor?] {
            let portable = KernelPath.with(.portable) { run(mask) }
            let chosen = KernelPath.with(path) { run(mask) }
            #expect(chosen == portable, "path \(path), mask \(mask != nil)")
            let reference = Device.with(ReferenceBackend.shared) { run(mask) }
            for (a, r) in zip(chosen, reference) {
                #expect(zip(a, r).allSatisfy { abs($0 - $1) <= 1e-4 * (1 + abs($1)) }, "path \(path) against the reference")
            }
        }
    }
}
