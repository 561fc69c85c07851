import Testing
import LeptonTensor
import LeptonTestSupport
import LeptonNN

@Suite struct TransformerEncoderTests {
    /// The layer's weights in the oracle's order.
    private func weights(_ layer: TransformerEncoderLayer) -> [Tensor] {
        LayerTesting.weights(layer.selfAttention)
            + [layer.feedForward1.kernel!, layer.feedForward1.bias!, layer.feedForward2.kernel!, layer.feedForward2.bias!,
               layer.norm1.gamma!, layer.norm1.beta!, layer.norm2.gamma!, layer.norm2.beta!]
    }

    @Test func shapesAndParameterNames() {
        let layer = TransformerEncoderLayer(modelDimensions: 8, heads: 2, feedForwardDimensions: 16)
        #expect(layer(Tensor.zeros([3, 5, 8])).shape == [3, 5, 8])
        let names = layer.namedParameters().map(\.0)
        #expect(names.first == "selfAttention.queryKernel")
        #expect(names.contains("feedForward1.kernel") && names.contains("norm2.beta"))
        #expect(layer.parameterCount == 4 * (8 * 8 + 8) + (8 * 16 + 16) + (16 * 8 + 8) + 4 * 8)
    }

    @Test(arguments: [(false, ActivationFunction.relu, false), (true, .gelu, true)])
    func matchesPyTorchInEvaluation(normFirst: Bool, activation: ActivationFunction, causal: Bool) throws {
        let (b, t, d, h, ff) = (2, 5, 8, 2, 12)
        let layer = TransformerEncoderLayer(modelDimensions: d, heads: h, feedForwardDimensions: ff, dropout: 0.1,
                                            activation: activation, normFirst: normFirst)
        LayerTesting.randomize(layer, seed: 1)
        layer.eval()
        let x = TestSupport.randn([b, t, d], seed: 2)
        var padding = [Float](repeating: 1, count: b * t)
        padding[t - 1] = 0; padding[2 * t - 2] = 0; padding[2 * t - 1] = 0
        let paddingMask = Tensor(padding, shape: [b, t])
        let y = layer(x, keyPaddingMask: paddingMask, causal: causal)
        let c = try LayerTesting.compare(
            "transformer_encoder_layer", [x] + weights(layer) + [paddingMask],
            attrs: ["heads": .int(h), "feed_forward": .int(ff), "activation": .string(activation.rawValue),
                    "norm_first": .bool(normFirst), "causal": .bool(causal), "key_padding_mask": true],
            actual: y)
        #expect(c.passes, "\(c)")
    }

    @Test(arguments: [false, true])
    func gradientsWithMask(normFirst: Bool) {
        let layer = TransformerEncoderLayer(modelDimensions: 4, heads: 2, feedForwardDimensions: 6, dropout: 0,
                                            activation: .gelu, normFirst: normFirst)
        LayerTesting.randomize(layer, seed: 3)
        let x = TestSupport.randn([2, 3, 4], seed: 4)
        let padding = Tensor([1, 1, 0, 1, 1, 1], shape: [2, 3])
        let result = GradientChecker.check(parameters: layer.parameters() + [x]) {
            layer(x, keyPaddingMask: padding, causal: true)
        }
        #expect(result.passed, "\(result)")
    }

    @Test func stackAppliesBlocksInOrder() {
        let encoder = TransformerEncoder(layers: 3, modelDimensions: 8, heads: 4, feedForwardDimensions: 16,
                                         normFirst: true, finalNorm: true, seed: 5)
        encoder.eval()
        #expect(encoder.blocks.count == 3)
        #expect(encoder.namedParameters().map(\.0).contains("layers.2.feedForward2.bias"))
        #expect(encoder.namedParameters().map(\.0).last == "finalNorm.beta")
        let x = TestSupport.randn([2, 6, 8], seed: 6)
        let y = encoder(x, causal: true)
        var expected = x
        for block in encoder.blocks { expected = block(expected, causal: true) }
        expected = encoder.finalNorm!(expected)
        #expect(y.shape == [2, 6, 8])
        #expect(y.scalars == expected.scalars)
        // Different blocks have different weights.
        #expect(encoder.blocks[0].feedForward1.kernel!.scalars != encoder.blocks[1].feedForward1.kernel!.scalars)
    }

    @Test func stackGradientsReachEveryLayer() {
        // GELU keeps the function smooth (a ReLU kink can sit within the finite-difference step),
        // and fixed weights keep the check independent of tests running in parallel.
        let encoder = TransformerEncoder(layers: 2, modelDimensions: 4, heads: 2, feedForwardDimensions: 4, dropout: 0,
                                         activation: .gelu)
        LayerTesting.randomize(encoder, seed: 7)
        let x = TestSupport.randn([1, 3, 4], seed: 7)
        let result = GradientChecker.check(parameters: encoder.parameters() + [x], maxElementsPerInput: 6) { encoder(x) }
        #expect(result.passed, "\(result)")
    }

    @Test func dropoutOnlyInTraining() {
        let layer = TransformerEncoderLayer(modelDimensions: 8, heads: 2, feedForwardDimensions: 16, dropout: 0.3, seed: 8)
        let x = TestSupport.randn([2, 4, 8], seed: 9)
        let train = layer(x).scalars
        layer.eval()
        let a = layer(x).scalars
        #expect(a == layer(x).scalars)
        #expect(a != train)
    }

    @Test func wrongFeatureCountStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let layer = TransformerEncoderLayer(modelDimensions: 8, heads: 2, feedForwardDimensions: 16)
            _ = layer(Tensor.zeros([2, 5, 6]))
        }
        if let result {
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("TransformerEncoderLayer: expected input [batch, seq, 8], got [2, 5, 6]"), "\(message)")
        }
    }
}
