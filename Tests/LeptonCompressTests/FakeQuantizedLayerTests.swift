import LeptonCompress
import LeptonNN
import LeptonTensor
import LeptonTestSupport
import Testing

/// `FakeQuantizedLayer` (QAT/FakeQuantizedLayer.swift): a training step through a Conv2D +
/// BatchNormalization pair reaches the kernel and the normalisation's γ and β, the running
/// statistics move until frozen, frozen observers keep the input range and weight scales, and in
/// evaluation mode the pair computes what the folded float layer computes on fake-quantised values.
@Suite struct FakeQuantizedLayerTests {
    static func pair() -> (Conv2D, BatchNormalization) {
        GlobalRandom.scoped(seed: 3) {
            (Conv2D(filters: 4, kernelSize: [3, 3], padding: .same, inputChannels: 2), BatchNormalization(features: 4))
        }
    }

    @Test func trainingStepReachesWeightsAndStatisticsFreeze() {
        let (conv, bn) = Self.pair()
        let layer = FakeQuantizedLayer(conv, batchNorm: bn, activation: .relu)
        let x = TestSupport.randn([8, 6, 6, 2], seed: 4)
        layer.train()
        layer(x).square().mean().backward()
        #expect(conv.kernel?.grad != nil && conv.bias?.grad != nil && bn.gamma?.grad != nil && bn.beta?.grad != nil)
        #expect(conv.kernel!.grad!.scalars.contains { $0 != 0 } && bn.gamma!.grad!.scalars.contains { $0 != 0 })
        let moved = bn.runningMean!.scalars
        #expect(moved != [0, 0, 0, 0], "the running mean moves in training")
        #expect(layer.inputObserver.minimum != nil)

        layer.freezeBatchNormStatistics()
        layer.freezeObservers()
        let range = (layer.inputObserver.minimum, layer.inputObserver.maximum), scales = layer.weightScales
        conv.kernel!.assign(conv.kernel! * 3)
        _ = layer(x * 5)
        #expect(bn.runningMean!.scalars == moved && bn.isTraining == false)
        #expect(layer.inputObserver.minimum == range.0 && layer.inputObserver.maximum == range.1)
        #expect(layer.weightScales == scales && layer.frozenWeightScales == scales)
        layer.freezeObservers()
        #expect(layer.frozenWeightScales == scales, "freezing again keeps the first scales")
    }

    @Test func evaluationEqualsTheFoldedLayerOnFakeQuantisedValues() {
        let (conv, bn) = Self.pair()
        let layer = FakeQuantizedLayer(conv, batchNorm: bn, activation: .relu)
        let x = TestSupport.randn([8, 6, 6, 2], seed: 5)
        for _ in 0..<3 { _ = Tensor.withoutGrad { layer(x) } }   // training: statistics and range move
        layer.eval()
        let folded = BatchNormFolding.folded(conv, bn, activation: .relu) as! Conv2D
        let q = layer.inputObserver.quantization!
        let scales = FakeQuantization.weightScales(folded.kernel!, channelAxis: 0)
        folded.kernel!.assign(FakeQuantization.weights(folded.kernel!, scales: scales, channelAxis: 0))
        let expected = folded(FakeQuantization.activations(x, q)).scalars, actual = layer(x).scalars
        let worst = zip(expected, actual).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-4, "worst \(worst)")
        #expect(layer.weightScales == scales)
    }

    @Test func denseWithoutNormalisationKeepsItsActivation() {
        let dense = GlobalRandom.scoped(seed: 6) { Dense(units: 3, activation: .sigmoid, inputDimensions: 5) }
        let layer = FakeQuantizedLayer(dense)
        #expect(layer.activation == .sigmoid && layer.batchNorm == nil)
        let x = TestSupport.randn([4, 5], seed: 7)
        let y = layer(x).scalars
        #expect(y.allSatisfy { $0 > 0 && $0 < 1 })
        layer.eval()
        let untrained = FakeQuantizedLayer(dense)
        untrained.eval()
        #expect(untrained.inputObserver.quantization == nil, "evaluation mode does not observe")
    }
}
