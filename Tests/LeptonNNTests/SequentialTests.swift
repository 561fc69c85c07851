import LeptonNN
import LeptonTensor
import Testing

/// `Sequential` is a LeptonNN module: a custom loop trains it with an optimizer, no LeptonTrain.
@Suite struct SequentialTests {
    @Test func aCustomLoopTrainsASequential() {
        GlobalRandom.scoped(seed: 5) {
            let model = Sequential([Dense(units: 8, activation: .tanh, inputDimensions: 2), Dense(units: 1)])
            let optimizer = SGD(model, learningRate: 0.1)
            let x = Tensor([0, 0, 0, 1, 1, 0, 1, 1], shape: [4, 2]), y = Tensor([0, 1, 1, 0], shape: [4, 1])
            func loss() -> Tensor { (model(x) - y).square().mean() }
            let before = loss().item()
            for _ in 0..<300 {
                optimizer.zeroGrad()
                loss().backward()
                optimizer.step()
            }
            #expect(loss().item() < before / 4, "loss \(before) → \(loss().item())")
            #expect(model.namedParameters().map(\.0) == ["layers.0.kernel", "layers.0.bias", "layers.1.kernel", "layers.1.bias"])
            #expect(model.layerNames == ["dense", "dense_1"])
        }
    }
}
