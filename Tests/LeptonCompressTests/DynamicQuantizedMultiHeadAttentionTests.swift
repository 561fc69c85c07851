import Testing
import LeptonCompress
import LeptonNN
import LeptonTensor
import LeptonTestSupport

/// `DynamicQuantizedMultiHeadAttention` (Layers/DynamicQuantizedMultiHeadAttention.swift): int8
/// projections around the float attention, against the float layer it was made from.
@Suite struct DynamicQuantizedMultiHeadAttentionTests {
    /// The largest difference relative to the float output's largest magnitude.
    static func relativeError(_ a: Tensor, _ b: Tensor) -> Float {
        let scale = b.scalars.map { abs($0) }.max()!
        return zip(a.scalars, b.scalars).map { abs($0 - $1) }.max()! / scale
    }

    static func attention(queryFeatures: Int = 32, keyFeatures: Int? = nil) -> MultiHeadAttention {
        GlobalRandom.scoped(seed: 5) {
            MultiHeadAttention(heads: 4, keyDimensions: 8, valueDimensions: 6, outputDimensions: 20,
                               queryFeatures: queryFeatures, keyFeatures: keyFeatures)
        }
    }

    @Test func selfAttentionWithMasksAgreesWithTheFloatLayer() {
        let float = Self.attention()
        let int8 = DynamicQuantizedMultiHeadAttention(float)
        let x = TestSupport.randn([3, 10, 32], seed: 1)
        let padding = Tensor((0..<30).map { Float($0 % 10 < 7 || $0 < 10 ? 1 : 0) }, shape: [3, 10])
        for (mask, causal) in [(nil, false), (padding, false), (padding, true)] as [(Tensor?, Bool)] {
            let expected = Tensor.withoutGrad { float(x, keyPaddingMask: mask, causal: causal) }
            let y = int8(x, keyPaddingMask: mask, causal: causal)
            #expect(y.shape == [3, 10, 20])
            #expect(Self.relativeError(y, expected) < 0.03, "mask \(mask != nil), causal \(causal)")
        }
    }

    @Test func crossAttentionAgreesWithTheFloatLayer() {
        let float = Self.attention(keyFeatures: 24)
        let int8 = DynamicQuantizedMultiHeadAttention(float)
        let q = TestSupport.randn([2, 5, 32], seed: 2), kv = TestSupport.randn([2, 7, 24], seed: 3)
        let expected = Tensor.withoutGrad { float(q, key: kv, value: kv) }
        let shared = int8(q, key: kv, value: kv)
        #expect(Self.relativeError(shared, expected) < 0.03)
        // One memory tensor is quantised once for keys and values: the same bits as twice.
        #expect(shared.scalars == int8(q, key: kv, value: kv.copy()).scalars)
    }

    @Test(arguments: Int8KernelPath.allCases.filter(\.isSupported))
    func everyInt8PathGivesTheSameOutput(path: Int8KernelPath) {
        let int8 = DynamicQuantizedMultiHeadAttention(Self.attention(), reduceRange: path == .avx2)
        let x = TestSupport.randn([2, 9, 32], seed: 4)
        int8.kernelPath = .portable
        let portable = int8(x).scalars
        int8.kernelPath = path
        #expect(int8(x).scalars == portable, "path \(path)")
    }

    @Test func configRebuildsTheSameLayer() throws {
        QuantizedLayers.register()
        let int8 = DynamicQuantizedMultiHeadAttention(Self.attention(keyFeatures: 24))
        let rebuilt = try DynamicQuantizedMultiHeadAttention(config: ConfigReader(int8.config, path: "layers.0"))
        #expect(rebuilt.namedParameters().map { $0.0 } == int8.namedParameters().map { $0.0 })
        #expect(zip(rebuilt.namedParameters(), int8.namedParameters()).allSatisfy { $0.1.shape == $1.1.shape && $0.1.dtype == $1.1.dtype })
        #expect(throws: ConfigError.self) {
            _ = try DynamicQuantizedMultiHeadAttention(config: ConfigReader(["num_heads": 4, "key_dim": 8], path: "layers.0"))
        }
    }
}
