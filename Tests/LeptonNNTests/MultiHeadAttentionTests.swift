import Testing
import LeptonTensor
import LeptonTestSupport
import LeptonNN

@Suite struct MultiHeadAttentionTests {
    // MARK: Shapes

    @Test func selfAttentionShapesAndWeights() {
        let mha = MultiHeadAttention(heads: 2, keyDimensions: 4)
        let x = TestSupport.randn([3, 5, 8], seed: 1)
        let (out, weights) = mha.forwardWithWeights(query: x, key: x, value: x)
        #expect(out.shape == [3, 5, 8])
        #expect(weights.shape == [3, 2, 5, 5])
        let rowSums = weights.sum(axes: [-1]).scalars
        #expect(rowSums.allSatisfy { Swift.abs($0 - 1) < 1e-5 })
        #expect(mha(x).shape == [3, 5, 8])
        #expect(mha.namedParameters().map(\.0) == ["queryKernel", "queryBias", "keyKernel", "keyBias",
                                                   "valueKernel", "valueBias", "outputKernel", "outputBias"])
        #expect(mha.parameterCount == 4 * (8 * 8 + 8))
    }

    @Test func crossAttentionShapes() {
        let mha = MultiHeadAttention(heads: 3, keyDimensions: 2, valueDimensions: 5, outputDimensions: 7)
        let q = TestSupport.randn([2, 4, 6], seed: 1), kv = TestSupport.randn([2, 9, 10], seed: 2)
        let (out, weights) = mha.forwardWithWeights(query: q, key: kv, value: kv, keyPaddingMask: Tensor.ones([2, 9]))
        #expect(out.shape == [2, 4, 7])
        #expect(weights.shape == [2, 3, 4, 9])
        #expect(mha.valueKernel!.shape == [10, 15])
        #expect(mha.outputKernel!.shape == [15, 7])
        // Only a value given: keys default to it.
        #expect(mha(q, value: kv).scalars == mha(q, key: kv, value: kv).scalars)
        // The output-only call runs the fused attention op; forwardWithWeights composes it.
        #expect(TestSupport.maxRelativeError(mha(q, value: kv).scalars, out.scalars) <= 1e-6)
    }

    @Test func fusedSelfAttentionEqualsSeparateProjections() {
        let mha = MultiHeadAttention(heads: 2, keyDimensions: 3, queryFeatures: 6)
        LayerTesting.randomize(mha, seed: 3)
        let x = TestSupport.randn([2, 4, 6], seed: 4)
        let fused = mha(x, causal: true)                  // query === key === value: one product
        let separate = mha(x, key: x.copy(), value: x.copy(), causal: true)
        #expect(TestSupport.maxRelativeError(fused.scalars, separate.scalars) < 1e-5)
    }

    // MARK: Masks

    @Test func masksHideKeysAndFullyMaskedRowsAreZero() {
        let mha = MultiHeadAttention(heads: 2, keyDimensions: 2, queryFeatures: 4)
        LayerTesting.randomize(mha, seed: 5)
        let x = TestSupport.randn([2, 3, 4], seed: 6)
        var padding = [Float](repeating: 1, count: 6)
        padding[2] = 0                          // batch 0 hides key 2
        var attention = [Float](repeating: 1, count: 18)
        for k in 0..<3 { attention[9 + 3 + k] = 0 }   // batch 1, query 1 sees nothing
        let (out, weights) = mha.forwardWithWeights(query: x, key: x, value: x,
                                                    attentionMask: Tensor(attention, shape: [2, 3, 3]),
                                                    keyPaddingMask: Tensor(padding, shape: [2, 3]), causal: true)
        let w = weights.scalars   // [2, 2, 3, 3]
        #expect(out.scalars.allSatisfy(\.isFinite) && w.allSatisfy(\.isFinite))
        for h in 0..<2 {
            for q in 0..<3 {
                for k in 0..<3 {
                    let v0 = w[((0 * 2 + h) * 3 + q) * 3 + k], v1 = w[((1 * 2 + h) * 3 + q) * 3 + k]
                    if k > q || k == 2 { #expect(v0 == 0) }        // causal and padding
                    if k > q || q == 1 { #expect(v1 == 0) }        // causal and the fully masked row
                }
            }
            #expect(w[((1 * 2 + h) * 3 + 1) * 3 ..< ((1 * 2 + h) * 3 + 2) * 3].allSatisfy { $0 == 0 })
        }
        // The fully masked row attends to nothing: its output is the output bias alone.
        let row = Array(out.scalars[(1 * 3 + 1) * 4 ..< (1 * 3 + 2) * 4])
        #expect(TestSupport.maxRelativeError(row, mha.outputBias!.scalars) < 1e-6)
    }

    @Test func scaledDotProductAttentionMatchesReferenceWithFullyMaskedRow() throws {
        let q = TestSupport.randn([2, 3, 4, 5], seed: 1), k = TestSupport.randn([2, 3, 6, 5], seed: 2)
        let v = TestSupport.randn([2, 3, 6, 7], seed: 3)
        let keep = LayerTesting.mask([2, 1, 4, 6], seed: 4)
        keep.floats.update(repeating: 0, count: 6)   // batch 0, query 0: every key masked
        let (out, weights) = scaledDotProductAttention(query: q, key: k, value: v, mask: keep)
        #expect(weights.scalars[0..<6].allSatisfy { $0 == 0 })
        let c = try LayerTesting.compare("scaled_dot_product_attention", [q, k, v, keep], actual: [out, weights])
        #expect(c.passes, "\(c)")
        let (causalOut, causalWeights) = scaledDotProductAttention(query: q, key: k, value: v, causal: true, scale: 0.3)
        let cc = try LayerTesting.compare("scaled_dot_product_attention", [q, k, v], attrs: ["causal": true, "scale": 0.3],
                                          actual: [causalOut, causalWeights])
        #expect(cc.passes, "\(cc)")
    }

    // MARK: PyTorch

    @Test func selfAttentionWithMasksMatchesPyTorch() throws {
        let (b, t, h, dk) = (2, 5, 2, 4)
        let mha = MultiHeadAttention(heads: h, keyDimensions: dk, queryFeatures: h * dk)
        LayerTesting.randomize(mha, seed: 7)
        let x = TestSupport.randn([b, t, h * dk], seed: 8)
        let attention = LayerTesting.mask([b, t, t], seed: 9)
        for i in 0..<(b * t) { attention.floats[i * t] = 1 }    // key 0 always visible: no empty row
        var padding = [Float](repeating: 1, count: b * t)
        padding[t - 1] = 0; padding[t + 3] = 0
        let paddingMask = Tensor(padding, shape: [b, t])
        let (out, weights) = mha.forwardWithWeights(query: x, key: x, value: x, attentionMask: attention,
                                                    keyPaddingMask: paddingMask, causal: true)
        let c = try LayerTesting.compare("multihead_attention", [x, x, x] + LayerTesting.weights(mha) + [attention, paddingMask],
                                         attrs: ["heads": .int(h), "attention_mask": true, "key_padding_mask": true,
                                                 "causal": true, "self": true],
                                         actual: [out, weights])
        #expect(c.passes, "\(c)")
    }

    @Test func crossAttentionWithPerHeadMaskMatchesPyTorch() throws {
        let (b, tq, tk, h, dk) = (2, 3, 6, 3, 2)
        let mha = MultiHeadAttention(heads: h, keyDimensions: dk, queryFeatures: h * dk, keyFeatures: 5, valueFeatures: 4)
        LayerTesting.randomize(mha, seed: 10)
        let q = TestSupport.randn([b, tq, h * dk], seed: 11)
        let k = TestSupport.randn([b, tk, 5], seed: 12), v = TestSupport.randn([b, tk, 4], seed: 13)
        let attention = LayerTesting.mask([b, h, tq, tk], seed: 14)
        for i in 0..<(b * h * tq) { attention.floats[i * tk + 1] = 1 }
        let (out, weights) = mha.forwardWithWeights(query: q, key: k, value: v, attentionMask: attention)
        let c = try LayerTesting.compare("multihead_attention", [q, k, v] + LayerTesting.weights(mha) + [attention],
                                         attrs: ["heads": .int(h), "attention_mask": true], actual: [out, weights])
        #expect(c.passes, "\(c)")
        // A [tq, tk] mask broadcasts over batch and heads.
        let shared = LayerTesting.mask([tq, tk], seed: 15, keep: 0.7)
        for i in 0..<tq { shared.floats[i * tk] = 1 }
        let (out2, weights2) = mha.forwardWithWeights(query: q, key: k, value: v, attentionMask: shared)
        let c2 = try LayerTesting.compare("multihead_attention", [q, k, v] + LayerTesting.weights(mha) + [shared],
                                          attrs: ["heads": .int(h), "attention_mask": true], actual: [out2, weights2])
        #expect(c2.passes, "\(c2)")
    }

    // MARK: Gradients

    @Test func selfAttentionGradientsWithMask() {
        let mha = MultiHeadAttention(heads: 2, keyDimensions: 2, queryFeatures: 4)
        LayerTesting.randomize(mha, seed: 16)
        let x = TestSupport.randn([2, 3, 4], seed: 17)
        let attention = Tensor([1, 0, 1, 1, 1, 0, 0, 1, 1,
                                1, 1, 1, 0, 1, 1, 1, 0, 1], shape: [2, 3, 3])
        let padding = Tensor([1, 1, 1, 1, 1, 0], shape: [2, 3])
        let result = GradientChecker.check(parameters: mha.parameters() + [x]) {
            let (out, weights) = mha.forwardWithWeights(query: x, key: x, value: x, attentionMask: attention,
                                                        keyPaddingMask: padding)
            return out + weights.sum(axes: [1, 3]).unsqueeze(-1)   // check the weights' gradient too
        }
        #expect(result.passed, "\(result)")
    }

    @Test func crossAttentionGradientsWithCausalMask() {
        let mha = MultiHeadAttention(heads: 2, keyDimensions: 2, valueDimensions: 3, queryFeatures: 3,
                                     keyFeatures: 2, valueFeatures: 2)
        LayerTesting.randomize(mha, seed: 18)
        let q = TestSupport.randn([2, 3, 3], seed: 19), k = TestSupport.randn([2, 4, 2], seed: 20)
        let v = TestSupport.randn([2, 4, 2], seed: 21)
        let result = GradientChecker.check(parameters: mha.parameters() + [q, k, v]) {
            mha(q, key: k, value: v, causal: true)
        }
        #expect(result.passed, "\(result)")
    }

    // MARK: Modes and errors

    @Test func dropoutOnlyInTraining() {
        let mha = MultiHeadAttention(heads: 2, keyDimensions: 4, dropout: 0.5, queryFeatures: 8, seed: 1)
        let x = TestSupport.randn([2, 6, 8], seed: 22)
        let train = mha(x).scalars
        mha.eval()
        let a = mha(x).scalars, b = mha(x).scalars
        #expect(a == b)
        #expect(a != train)
    }

    @Test func wrongInputShapeStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let mha = MultiHeadAttention(heads: 2, keyDimensions: 4, queryFeatures: 8)
            _ = mha(Tensor.zeros([2, 5, 6]))
        }
        if let result {
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("MultiHeadAttention: query has 6 features"), "\(message)")
        }
    }

    @Test func wrongMaskShapeStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let mha = MultiHeadAttention(heads: 2, keyDimensions: 4, queryFeatures: 8)
            let x = Tensor.zeros([2, 5, 8])
            _ = mha(x, keyPaddingMask: Tensor.ones([2, 4]))
        }
        if let result {
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("key padding mask must be [batch, tk] = [2, 5], got [2, 4]"), "\(message)")
        }
    }
}
