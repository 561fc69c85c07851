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

    /// A Conv2D and the 2×2 MaxPooling2D after it run as one pass at inference: the same
    /// predictions as the layers one by one, and those layers still train.
    @Test(arguments: [ActivationFunction.relu, .linear, .tanh])
    func aConvolutionAndItsPoolingRunAsOnePassAtInference(activation: ActivationFunction) {
        GlobalRandom.scoped(seed: 7) {
            let layers: [Module] = [Conv2D(filters: 16, kernelSize: [3, 3], activation: activation), MaxPooling2D(),
                                    Conv2D(filters: 8, kernelSize: [3, 3], activation: .relu), MaxPooling2D(poolSize: [2, 2]),
                                    Flatten(), Dense(units: 3)]
            let model = Sequential(layers)
            var generator = RandomGenerator(seed: 8)
            let x = Tensor.normal([4, 16, 15, 1], generator: &generator)
            let whole = Tensor.withoutGrad { model(x) }
            let oneByOne = Tensor.withoutGrad { layers.reduce(x) { $1($0) } }
            #expect(whole.shape == [4, 3])
            #expect(whole.scalars == oneByOne.scalars)
            let prefix = Tensor.withoutGrad { model.forward(x, layers: 1) }       // the convolution alone: not pooled
            #expect(prefix.shape == [4, 14, 13, 16])
            model(x).sum().backward()
            #expect(model.parameters().allSatisfy { $0.grad != nil }, "training still goes through both ops")
        }
    }
}
