import Foundation
import LeptonTensor

/// Train and test tensors of a named dataset, ready for `fit`.
public struct DatasetSplits {
    public let trainX: Tensor
    public let trainY: Tensor
    public let testX: Tensor
    public let testY: Tensor
    /// Shape of one input sample.
    public var inputShape: [Int] { Array(trainX.shape.dropFirst()) }
    /// A tokenizer, for text datasets.
    public let tokenizer: Tokenizer?
}

/// The datasets Lepton's examples read from `../shared/datasets` (or `LEPTON_DATA_DIR`).
public enum DatasetCatalog {
    /// MNIST or Fashion-MNIST as `[N, 28, 28, 1]` floats holding the pixel values 0–255 (scaling
    /// is the model's first layer), and `int32` labels.
    public static func mnist(directory: URL, trainLimit: Int? = nil, testLimit: Int? = nil) throws -> DatasetSplits {
        let m = try MNIST(directory: directory)
        func prepare(_ images: Tensor, _ labels: Tensor, _ limit: Int?) -> (Tensor, Tensor) {
            let n = min(limit ?? images.shape[0], images.shape[0])
            let x = images.slice(axis: 0, end: n).reshape([n, images.shape[1], images.shape[2], 1])
            return (x, labels.slice(axis: 0, end: n))
        }
        let (trainX, trainY) = prepare(m.trainImages, m.trainLabels, trainLimit)
        let (testX, testY) = prepare(m.testImages, m.testLabels, testLimit)
        return DatasetSplits(trainX: trainX, trainY: trainY, testX: testX, testY: testY, tokenizer: nil)
    }

    /// A sentiment file (`id<TAB>score<TAB>text`): label `score > 0` as float `[N, 1]`, texts
    /// as `int32` ids `[N, sequenceLength]` from a tokenizer fitted on the training part of a
    /// seeded split.
    public static func sentiment(file: URL, testFraction: Double = 0.2, seed: UInt64 = 42,
                                 maximumVocabulary: Int = 10_000, sequenceLength: Int = 50) throws -> DatasetSplits {
        let rows = try TextReaders.readScoredTexts(file)
        guard rows.count >= 2 else { throw DataError("needs at least 2 labelled texts, found \(rows.count)", source: file.path) }
        let parts = randomSplit(count: rows.count, fractions: [1 - testFraction, testFraction], seed: seed)
        var tokenizer = Tokenizer(maximumVocabulary: maximumVocabulary)
        tokenizer.fit(parts[0].map { rows[$0].text })
        func tensors(_ indices: [Int]) -> (Tensor, Tensor) {
            (tokenizer.encode(indices.map { rows[$0].text }, length: sequenceLength),
             Tensor(indices.map { rows[$0].score > 0 ? 1 : 0 }, shape: [indices.count, 1]))
        }
        let (trainX, trainY) = tensors(parts[0]), (testX, testY) = tensors(parts[1])
        return DatasetSplits(trainX: trainX, trainY: trainY, testX: testX, testY: testY, tokenizer: tokenizer)
    }

    /// MovieLens ratings as `int32` `[N, 2]` (user, item) pairs and float ratings `[N, 1]`,
    /// split by a seed. Ids stay as in the file (1-based).
    public static func ratings(file: URL, testFraction: Double = 0.2, seed: UInt64 = 42) throws -> (DatasetSplits, Ratings) {
        let r = try TextReaders.readRatings(file)
        let parts = randomSplit(count: r.ratings.count, fractions: [1 - testFraction, testFraction], seed: seed)
        func tensors(_ indices: [Int]) -> (Tensor, Tensor) {
            (Tensor(int32: indices.flatMap { [r.users[$0], r.items[$0]] }, shape: [indices.count, 2]),
             Tensor(indices.map { r.ratings[$0] }, shape: [indices.count, 1]))
        }
        let (trainX, trainY) = tensors(parts[0]), (testX, testY) = tensors(parts[1])
        return (DatasetSplits(trainX: trainX, trainY: trainY, testX: testX, testY: testY, tokenizer: nil), r)
    }
}
