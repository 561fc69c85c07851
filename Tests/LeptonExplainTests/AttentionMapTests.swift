import LeptonExplain
import LeptonNN
import LeptonPlot
import LeptonTensor
import Testing

@Suite struct AttentionMapTests {
    @Test func theRecordedWeightsAreSoftmaxRowsAndTheOutputIsUnchanged() throws {
        GlobalRandom.seed(41)
        let model = Sequential([
            Dense(units: 8),
            TransformerEncoder(layers: 2, modelDimensions: 8, heads: 2, feedForwardDimensions: 16, dropout: 0.1),
            Flatten(),
            Dense(units: 3, activation: .softmax),
        ])
        var generator = RandomGenerator(seed: 42)
        let x = Tensor.normal([1, 5, 4], generator: &generator)
        let before = ModelRunner(model).outputs(x).scalars
        let map = try AttentionMap.record(model, input: x)
        #expect(map.heads.count == 2 && map.queries == 5 && map.keys == 5)
        for head in map.heads + [map.mean] {
            for q in 0..<5 { #expect(abs(head[(q * 5)..<(q * 5 + 5)].reduce(0, +) - 1) < 1e-5) }
        }
        let after = ModelRunner(model).outputs(x).scalars
        #expect(zip(before, after).allSatisfy { abs($0 - $1) < 1e-5 }, "the unfused attention gives the fused one's outputs")
        #expect(AttentionMap.attentionLayers(of: model).allSatisfy { $0.weightsRecorder == nil })
        #expect(throws: ExplainError.self) { try AttentionMap.record(model, input: x, layer: 2) }
        let canvas = try MatrixHeatmap.canvas(map.mean, rows: 5, columns: 5)
        #expect(canvas.width == 5 * 96 + 24)
    }

    @Test func aModelWithoutAttentionIsAnError() {
        do {
            _ = try AttentionMap.record(ExplainTestModels.smallCNN(seed: 1), input: ExplainTestModels.smallImage(seed: 1))
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("MultiHeadAttention"))
        }
    }
}
