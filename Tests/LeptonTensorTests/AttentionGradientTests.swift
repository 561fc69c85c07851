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
}
