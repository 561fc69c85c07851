import Testing
import LeptonNN
import LeptonTensor
import LeptonTrain

/// Feature extraction: the output of a named layer, as running the layers by hand gives it.
@Suite struct SequentialFeaturesTests {
    func model() -> Sequential {
        GlobalRandom.seed(5)
        let model = Sequential([
            Conv2D(filters: 3, kernelSize: [3, 3], activation: .relu), BatchNormalization(), Dropout(rate: 0.5),
            Flatten(), Dense(units: 6, activation: .relu).named("embedding"), Dense(units: 2, activation: .softmax),
        ])
        model.build(inputShape: [5, 5, 1])
        return model
    }

    func images(_ n: Int) -> Tensor {
        var g = RandomGenerator(seed: 2)
        return Tensor.normal([n, 5, 5, 1], generator: &g)
    }

    @Test func extractFeaturesMatchesRunningTheLayersByHand() throws {
        let model = model(), x = images(70)
        // By hand, in evaluation mode (dropout off, batch-norm running statistics).
        model.eval()
        let expected = Tensor.withoutGrad { model.layers[0...4].reduce(x) { $1($0) } }.scalars
        let flattened = Tensor.withoutGrad { model.layers[0...3].reduce(x) { $1($0) } }.scalars
        model.train()
        let features = try model.extractFeatures(x, upTo: "embedding", batchSize: 32)
        #expect(features.shape == [70, 6])
        #expect(features.scalars == expected)
        #expect(try model.extractFeatures(x, upTo: "flatten").scalars == flattened)
        // Every layer is back in training mode, and nothing was recorded for gradients.
        #expect(model.namedModules().allSatisfy { $0.1.isTraining })
        #expect(!features.requiresGrad)
    }

    @Test func modesOfIndividualLayersAreRestored() throws {
        let model = model()
        model.layers[1].eval()   // a frozen batch-norm inside a training model
        _ = try model.extractFeatures(images(4), upTo: "dense")
        #expect(model.isTraining && !model.layers[1].isTraining && model.layers[2].isTraining)
    }

    @Test func featureExtractorSharesTheLayers() throws {
        let model = model(), x = images(8)
        let backbone = try model.featureExtractor(upTo: "embedding")
        #expect(backbone.layers.count == 5 && zip(backbone.layers, model.layers).allSatisfy { $0 === $1 })
        #expect(backbone.layerNames == Array(model.layerNames.prefix(5)))
        #expect(backbone.predict(x).scalars == (try model.extractFeatures(x, upTo: "embedding")).scalars)
        // Training the full model moves the shared weights.
        let dense = model.layers[4] as! Dense
        dense.kernel!.assign(dense.kernel! * 2)
        #expect(backbone.predict(x).scalars == (try model.extractFeatures(x, upTo: "embedding")).scalars)
    }

    @Test func unknownNamesListTheLayers() {
        let model = model()
        let message = errorMessage { _ = try model.extractFeatures(images(2), upTo: "dense_9") }
        #expect(message == "no layer is named 'dense_9'; the model's layers are conv2d, batch_normalization, dropout, flatten, embedding, dense")
        #expect(errorMessage { _ = try model.featureExtractor(upTo: "pool") }.contains("no layer is named 'pool'"))
        #expect(errorMessage { _ = try model.extractFeatures(Tensor.zeros([0, 5, 5, 1]), upTo: "flatten") }
            .contains("expected one or more samples"))
    }
}
