import Foundation
import LeptonTensor

extension DatasetCatalog {
    /// Features and labels in two `.npy` files (samples along the first axis), memory-mapped
    /// (``NPYDataset``) and split by a seed into training, validation and test parts that are
    /// views of sample indices — nothing is copied until a batch is read, so the files may be
    /// larger than memory. Each part keeps its samples in file order (a loader that does not
    /// shuffle reads the file front to back).
    ///
    /// - Parameters:
    ///   - x: the features, e.g. float32 or uint8 pixels `[N, 28, 28, 1]` (uint8 read as 0–255 floats).
    ///   - y: the labels, e.g. int64 or int32 `[N]` (read as int32).
    ///   - testFraction: the share of samples held out for testing, in (0, 1).
    ///   - validationFraction: the share held out for validation, in [0, 1) (0: no validation part).
    ///   - seed: seeds the split.
    /// - Throws: ``DataError`` from the files, for fractions outside their ranges, or when a part
    ///   would be empty.
    public static func npy(x: URL, y: URL, testFraction: Double = 0.2, validationFraction: Double = 0,
                           seed: UInt64 = 42) throws -> DatasetParts {
        guard testFraction > 0, testFraction < 1 else {
            throw DataError("test_fraction \(testFraction): expected a number in (0, 1)", source: x.path)
        }
        guard validationFraction >= 0, testFraction + validationFraction < 1 else {
            throw DataError("validation_fraction \(validationFraction): expected a number in [0, 1) that leaves training samples beside test_fraction \(testFraction)",
                            source: x.path)
        }
        let data = try NPYDataset(x: x, y: y)
        let parts = randomSplit(count: data.count, fractions: [1 - testFraction - validationFraction, validationFraction, testFraction],
                                seed: seed).map { $0.sorted() }
        guard !parts[0].isEmpty, !parts[2].isEmpty, validationFraction == 0 || !parts[1].isEmpty else {
            throw DataError("\(data.count) samples are too few to split with test_fraction \(testFraction) and validation_fraction \(validationFraction)",
                            source: x.path)
        }
        return DatasetParts(train: try DatasetSubset(data, indices: parts[0]),
                            validation: validationFraction > 0 ? try DatasetSubset(data, indices: parts[1]) : nil,
                            test: try DatasetSubset(data, indices: parts[2]),
                            inputShape: data.sampleShapes[0], inputDType: data.dtypes[0])
    }
}
