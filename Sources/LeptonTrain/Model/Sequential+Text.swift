import LeptonData
import LeptonNN
import LeptonTensor

extension Sequential {
    /// The layer that turns this model's sentences into token ids — its first layer, when that is
    /// a ``LeptonNN/TextVectorization`` — or nil for a model that takes tensors.
    public var textVectorization: TextVectorization? { layers.first as? TextVectorization }

    /// The model's outputs for sentences, one row per text: the texts go through the model's
    /// ``textVectorization`` (the one way strings enter a model), then through every layer, in
    /// batches in evaluation mode.
    ///
    /// ```swift
    /// let scores = try model.predict(texts: ["a great film", "dull"])   // [2, 1]
    /// ```
    /// - Throws: ``TrainingError`` when the model's first layer is not a `TextVectorization`, or
    ///   `texts` is empty.
    public func predict(texts: [String], batchSize: Int = 32) throws -> Tensor {
        guard let textVectorization else {
            throw TrainingError("predict(texts:): the model's first layer is \(layers.first.map { "\(type(of: $0))" } ?? "missing"), "
                                + "not a TextVectorization, so it does not take text")
        }
        guard !texts.isEmpty else { throw TrainingError("predict(texts:): no texts") }
        guard batchSize > 0 else { throw TrainingError("predict(texts:): batchSize must be positive, got \(batchSize)") }
        return predict(textVectorization.encode(texts), batchSize: batchSize)
    }
}

extension DatasetSplits {
    /// The test inputs as `model` takes them: for a model that takes text, the raw test texts
    /// through the model's own ``Sequential/textVectorization`` (its saved vocabulary, as `predict`
    /// and `serve` see sentences); otherwise ``testX``.
    /// - Throws: ``TrainingError`` when the model takes text and the dataset holds none.
    public func testInputs(for model: Sequential) throws -> Tensor {
        guard let vectorization = model.textVectorization else { return testX }
        guard let testTexts else { throw TrainingError("the model takes text (its first layer is TextVectorization); the dataset holds no texts") }
        return vectorization.encode(testTexts)
    }
}
