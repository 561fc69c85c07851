import LeptonData
import LeptonNN
import LeptonTensor
import LeptonTrain

extension TrainingConfig {
    /// The layers that prepare the dataset's raw values at the model's input, so that the saved,
    /// exported and served model takes what the data files hold (Keras's preprocessing layers):
    /// `standardize: true` → a ``LeptonNN/Normalization`` adapted on the training inputs;
    /// otherwise, for image datasets (pixel values 0–255), a ``LeptonNN/Rescaling`` by `rescale`
    /// (default 1/255); for text datasets the ``LeptonNN/TextVectorization`` adapted on the training
    /// texts, so the model takes sentences; none for ratings.
    /// `standardize` gathers its statistics over the training batches, so a streamed dataset never
    /// has to fit in memory.
    /// - Throws: ``ConfigError`` for a `standardize` or `rescale` that does not fit the dataset;
    ///   the dataset's error for a batch that cannot be read.
    public func preprocessingLayers(for data: DatasetParts) throws -> [Module] {
        if let textVectorization = data.textVectorization {
            guard dataset.raw("standardize") == nil && dataset.raw("rescale") == nil else {
                throw ConfigError("dataset: standardize and rescale apply to numbers; a text dataset is vectorised (max_vocabulary, sequence_length)")
            }
            return [textVectorization]
        }
        let standardize = try dataset.bool("standardize", default: false)
        let rescale = try dataset.double("rescale")
        let images = data.inputDType == .float32 && data.inputShape.count == 3
        if standardize {
            guard rescale == nil else { throw ConfigError("dataset: give either standardize or rescale, not both") }
            guard data.inputDType == .float32 else {
                throw ConfigError("dataset.standardize: the inputs are \(data.inputDType) ids, not values to standardise")
            }
            let normalization = Normalization(axis: images ? -1 : nil)
            var moments = Normalization.Moments(axis: normalization.axis)
            let batches = DataLoader(data.train, batchSize: 4096).batches(epoch: 0)
            for batch in batches { try moments.add(batch[0]) }
            try batches.rethrowError()
            try normalization.adapt(moments)
            return [normalization]
        }
        if let rescale {
            guard rescale.isFinite, rescale != 0, abs(rescale) <= 1e6 else {
                throw ConfigError("dataset.rescale: expected a non-zero finite factor such as 0.00392156862745098 (1/255), got \(rescale)")
            }
            return [Rescaling(scale: Float(rescale))]
        }
        return images ? [Rescaling(scale: 1.0 / 255)] : []
    }

    /// The model: the ``preprocessingLayers(for:)`` of `data`, then the config's layers, checked
    /// by ``LeptonNN/ShapeCheck`` against the dataset's samples before anything is built (so an
    /// embedding with fewer rows than the text vocabulary is an error, not a crash in training).
    /// - Throws: ``ConfigError`` naming the first bad layer or setting (`model[1] (Embedding): …`,
    ///   counting the preprocessing layers).
    public func buildModel(for data: DatasetParts) throws -> Sequential {
        let model = try buildModel()
        let preprocessing = try preprocessingLayers(for: data)
        let full = preprocessing.isEmpty ? model : Sequential(preprocessing + model.layers)
        let input = try ShapeCheck.input(shape: data.inputShape, dtype: data.inputDType, path: "dataset samples")
        try ShapeCheck.check(full.layers, input: input, path: "model")
        return full
    }
}
