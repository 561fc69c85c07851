import LeptonTensor

/// The training, validation and test parts of a dataset as ``Dataset``s whose batches are read
/// when a ``DataLoader`` asks — what ``DatasetSplits`` holds as tensors, for data larger than
/// memory. Each part is a view of sample indices (``DatasetSubset``) into one source, never a copy.
///
/// ```swift
/// let parts = try DatasetCatalog.npy(x: xURL, y: yURL, testFraction: 0.1, validationFraction: 0.1)
/// try model.fit(DataLoader(parts.train, batchSize: 128, shuffle: true, seed: 42),
///               validationData: parts.validation.map { DataLoader($0, batchSize: 128, prefetch: 0) })
/// ```
public struct DatasetParts {
    /// The training samples.
    public let train: Dataset
    /// The validation samples, when a fraction was held out for validation.
    public let validation: Dataset?
    /// The test samples.
    public let test: Dataset
    /// Shape of one input sample.
    public let inputShape: [Int]
    /// Element type of the inputs.
    public let inputDType: DType

    /// Parts of a dataset, with the shape and type of one input sample.
    public init(train: Dataset, validation: Dataset?, test: Dataset, inputShape: [Int], inputDType: DType) {
        self.train = train
        self.validation = validation
        self.test = test
        self.inputShape = inputShape
        self.inputDType = inputDType
    }
}
