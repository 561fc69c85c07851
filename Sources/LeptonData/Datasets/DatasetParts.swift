import LeptonNN
import LeptonTensor

/// The training, validation and test parts of a dataset as ``Dataset``s whose batches are read
/// when a ``DataLoader`` asks — what a training job trains on, whether the dataset was read whole
/// into tensors (``DatasetSplits``, kept as ``inMemory``) or is streamed from files larger than
/// memory. Streamed parts are views of sample indices (``DatasetSubset``) into one source, never a copy.
///
/// ```swift
/// let parts = try DatasetCatalog.npy(x: xURL, y: yURL, testFraction: 0.1, validationFraction: 0.1)
/// try model.fit(DataLoader(parts.train, batchSize: 128, shuffle: true, seed: 42),
///               validationData: parts.validation.map { DataLoader($0, batchSize: 128, prefetch: 0) })
/// ```
public struct DatasetParts {
    /// The training samples.
    public let train: Dataset
    /// The validation samples, when the dataset holds a validation part of its own.
    public let validation: Dataset?
    /// The test samples.
    public let test: Dataset
    /// Shape of one input sample.
    public let inputShape: [Int]
    /// Element type of the inputs.
    public let inputDType: DType
    /// The class names, by label, for datasets that name their classes (image folders).
    public var classNames: [String]? = nil
    /// For text datasets, the layer adapted on the training texts (see ``DatasetSplits/textVectorization``).
    public var textVectorization: TextVectorization? = nil
    /// The tensors the parts read from, when the dataset was read whole into memory (nil when streamed).
    public private(set) var inMemory: DatasetSplits? = nil

    /// Parts of a dataset, with the shape and type of one input sample.
    public init(train: Dataset, validation: Dataset?, test: Dataset, inputShape: [Int], inputDType: DType) {
        self.train = train
        self.validation = validation
        self.test = test
        self.inputShape = inputShape
        self.inputDType = inputDType
    }

    /// The training and test tensors of `splits` as parts (no validation part of their own).
    /// - Throws: ``DataError`` when a split's inputs and targets hold different numbers of samples.
    public init(_ splits: DatasetSplits) throws {
        self.init(train: try TensorDataset(splits.trainX, splits.trainY), validation: nil,
                  test: try TensorDataset(splits.testX, splits.testY),
                  inputShape: splits.inputShape, inputDType: splits.trainX.dtype)
        classNames = splits.classNames
        textVectorization = splits.textVectorization
        inMemory = splits
    }
}
