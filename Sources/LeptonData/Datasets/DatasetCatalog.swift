import Foundation
import LeptonNN
import LeptonTensor

/// Train and test tensors of a named dataset, ready for `fit`.
public struct DatasetSplits {
    public let trainX: Tensor
    public let trainY: Tensor
    public let testX: Tensor
    public let testY: Tensor
    /// Shape of one input sample.
    public var inputShape: [Int] { Array(trainX.shape.dropFirst()) }
    /// For text datasets, the layer adapted on the training texts that made `trainX` and `testX`
    /// of them; the training job puts it at the model's input, so the model takes sentences.
    public let textVectorization: TextVectorization?
    /// For text datasets, the raw texts of each split (what `trainX` and `testX` were made of).
    public var trainTexts: [String]? = nil
    public var testTexts: [String]? = nil
    /// The class names, by label, for datasets that name their classes (image folders).
    public var classNames: [String]? = nil

    public init(trainX: Tensor, trainY: Tensor, testX: Tensor, testY: Tensor, textVectorization: TextVectorization? = nil,
                classNames: [String]? = nil) {
        self.trainX = trainX
        self.trainY = trainY
        self.testX = testX
        self.testY = testY
        self.textVectorization = textVectorization
        self.classNames = classNames
    }
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
        return DatasetSplits(trainX: trainX, trainY: trainY, testX: testX, testY: testY)
    }

    /// An ``ImageFolder`` split into training and test parts by a seeded, stratified split (each
    /// class divided in the same proportion), images `[N, height, width, channels]` holding their
    /// pixel values 0–255 and `int32` labels, with the class names.
    /// - Throws: ``DataError`` from the folder, or when a class is too small to give the test part an image.
    public static func imageFolder(root: URL, mode: ImageDecoder.ColorMode = .grayscale, imageSize: [Int]? = nil,
                                   testFraction: Double = 0.2, seed: UInt64 = 42, skipCorrupt: Bool = false) throws -> DatasetSplits {
        guard testFraction > 0, testFraction < 1 else {
            throw DataError("test_fraction \(testFraction): expected a number in (0, 1)", source: root.path)
        }
        let folder = try ImageFolder(root: root, mode: mode, imageSize: imageSize, skipCorrupt: skipCorrupt)
        var train: [Int] = [], test: [Int] = []
        for label in folder.classNames.indices {
            let members = folder.files.indices.filter { folder.files[$0].label == label }
            let parts = randomSplit(count: members.count, fractions: [1 - testFraction, testFraction], seed: seed &+ UInt64(label))
            train += parts[0].map { members[$0] }
            test += parts[1].map { members[$0] }
        }
        guard !train.isEmpty, !test.isEmpty else {
            throw DataError("\(folder.count) images are too few to split with test_fraction \(testFraction)", source: root.path)
        }
        // Classes interleaved in a seeded order, so a validation split taken from the end holds every class.
        var generator = RandomGenerator(seed: seed)
        train.shuffle(using: &generator)
        let trainPart = try folder.batch(train), testPart = try folder.batch(test.sorted())
        return DatasetSplits(trainX: trainPart[0], trainY: trainPart[1], testX: testPart[0], testY: testPart[1],
                             classNames: folder.classNames)
    }

    /// A sentiment file (`id<TAB>score<TAB>text`): label `score > 0` as float `[N, 1]`, texts as
    /// `int32` ids `[N, sequenceLength]` from a ``LeptonNN/TextVectorization`` adapted on the
    /// training part of a seeded split (Keras's standardisation, pre-padded and pre-truncated as
    /// `pad_sequences` does), which the splits carry with the raw texts.
    /// - Throws: ``DataError`` for a malformed file, fewer than 2 texts, or sizes out of range.
    public static func sentiment(file: URL, testFraction: Double = 0.2, seed: UInt64 = 42,
                                 maximumVocabulary: Int = 10_000, sequenceLength: Int = 50) throws -> DatasetSplits {
        let rows = try TextReaders.readScoredTexts(file)
        guard rows.count >= 2 else { throw DataError("needs at least 2 labelled texts, found \(rows.count)", source: file.path) }
        let parts = randomSplit(count: rows.count, fractions: [1 - testFraction, testFraction], seed: seed)
        let vectorize: TextVectorization
        do { vectorize = try TextVectorization(maxTokens: maximumVocabulary, outputSequenceLength: sequenceLength) } catch {
            throw DataError("\(error)", source: file.path)
        }
        let trainTexts = parts[0].map { rows[$0].text }, testTexts = parts[1].map { rows[$0].text }
        vectorize.adapt(trainTexts)
        func labels(_ indices: [Int]) -> Tensor { Tensor(indices.map { rows[$0].score > 0 ? 1 : 0 }, shape: [indices.count, 1]) }
        var splits = DatasetSplits(trainX: vectorize.encode(trainTexts), trainY: labels(parts[0]), testX: vectorize.encode(testTexts),
                                   testY: labels(parts[1]), textVectorization: vectorize)
        splits.trainTexts = trainTexts
        splits.testTexts = testTexts
        return splits
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
        return (DatasetSplits(trainX: trainX, trainY: trainY, testX: testX, testY: testY), r)
    }
}
