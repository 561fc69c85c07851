import LeptonCompress
import LeptonNN
import LeptonTensor
import LeptonTestSupport
import Testing

/// `BatchNormFolding` (Quantization/BatchNormFolding.swift): a Conv2D or Dense and the
/// BatchNormalization (and Activation) after it folded into one float layer computing the same in
/// evaluation mode, pairs that cannot fold left alone, and the post-training quantiser folding
/// before it quantises.
@Suite struct BatchNormFoldingTests {
    /// Gives `bn` statistics and an affine map far from the defaults.
    static func randomize(_ bn: BatchNormalization, seed: UInt64) {
        let n = bn.gamma!.count
        bn.gamma!.assign(TestSupport.uniform([n], seed: seed, low: 0.3, high: 2))
        bn.beta!.assign(TestSupport.randn([n], seed: seed + 1))
        bn.runningMean!.assign(TestSupport.randn([n], seed: seed + 2))
        bn.runningVariance!.assign(TestSupport.uniform([n], seed: seed + 3, low: 0.1, high: 3))
    }

    static func convModel() -> Sequential {
        let model = GlobalRandom.scoped(seed: 5) {
            Sequential([Conv2D(filters: 6, kernelSize: [3, 3], padding: .same), BatchNormalization(), Activation(.relu),
                        MaxPooling2D(poolSize: [2, 2]), Flatten(), Dense(units: 8, useBias: false), BatchNormalization(),
                        Dense(units: 3)])
        }
        model.build(inputShape: [8, 8, 2])
        randomize(model.layers[1] as! BatchNormalization, seed: 10)
        randomize(model.layers[6] as! BatchNormalization, seed: 20)
        model.eval()
        return model
    }

    @Test func foldedModelComputesTheSame() {
        let model = Self.convModel()
        let folded = BatchNormFolding.fold(model)
        #expect(folded.model.layers.count == 5)
        #expect(folded.sources == [["conv2d", "batch_normalization", "activation"], ["max_pooling2d"], ["flatten"],
                                   ["dense", "batch_normalization_1"], ["dense_1"]])
        #expect((folded.model.layers[0] as? Conv2D)?.activation == .relu && (folded.model.layers[3] as? Dense)?.useBias == true)
        #expect(folded.model.layers[0].name == "conv2d")
        let x = TestSupport.randn([4, 8, 8, 2], seed: 6)
        let expected = model(x).scalars, actual = folded.model(x).scalars
        let worst = zip(expected, actual).map { abs($0 - $1) }.max()!
        print("BN folding: worst difference \(worst)")
        #expect(worst < 1e-5, "worst difference \(worst)")
    }

    @Test func leavesPairsThatCannotFold() {
        let model = Sequential([Dense(units: 4, activation: .relu, inputDimensions: 3), BatchNormalization(features: 4),
                                Conv2D(filters: 2, kernelSize: [1, 1], dataFormat: .channelsFirst, inputChannels: 1),
                                BatchNormalization(axis: 1, features: 2)])
        #expect(BatchNormFolding.foldable(model.layers, at: 0) == nil)   // an activation before the normalisation
        #expect(BatchNormFolding.foldable(model.layers, at: 2) == nil)   // channels-first
        #expect(BatchNormFolding.fold(model).model.layers.count == 4)
    }

    @Test func postTrainingQuantisationFoldsFirst() throws {
        let model = Self.convModel()
        let x = TestSupport.randn([16, 8, 8, 2], seed: 7)
        let result = try PostTrainingQuantizer().quantize(model, calibration: x, batchSize: 8, inputShape: [8, 8, 2])
        #expect(result.unsupported.isEmpty)
        #expect(result.quantized.map(\.name) == ["conv2d + batch_normalization + activation + max_pooling2d",
                                                 "dense + batch_normalization_1", "dense_1"])
        #expect((result.model.layers[0] as? QuantizedConv2D)?.poolSize == [2, 2])
        let float = model(x).scalars, int8 = result.model(x).scalars
        let scale = (float.max()! - float.min()!)
        let worst = zip(float, int8).map { abs($0 - $1) }.max()!
        #expect(worst < 0.05 * scale, "worst \(worst) of range \(scale)")
        #expect(model.isTraining == false)
    }
}
