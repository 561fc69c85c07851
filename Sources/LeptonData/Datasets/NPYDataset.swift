import Foundation
import LeptonTensor

/// A dataset over `.npy` files too large to read into memory: features `x` (and labels `y`),
/// samples along the first axis, each file mapped read-only and only the rows a batch asks for
/// copied into tensors. Features become float32 (float32 as they are, float64 narrowed, uint8
/// as the values 0–255) or int32 ids (int32/int64); labels int32 (integers, uint8, bool) or
/// float32 (floats). An int64 outside the int32 range is refused, never wrapped.
///
/// The resident memory it adds stays under about `residentBudget` per file whatever the file's
/// size (see ``MappedNPYFile``), and it may be read from the ``DataLoader``'s prefetch thread:
/// it is never written after `init`.
///
/// ```swift
/// let data = try NPYDataset(x: URL(fileURLWithPath: "x.npy"), y: URL(fileURLWithPath: "y.npy"))
/// let loader = DataLoader(data, batchSize: 128, shuffle: true, seed: 42)
/// try model.fit(loader, epochs: 1)
/// ```
public final class NPYDataset: Dataset, @unchecked Sendable {
    private let fields: [(file: MappedNPYFile, features: Bool)]

    /// Number of samples.
    public let count: Int

    /// Maps the files and checks their headers and that they hold the same number of samples.
    /// - Parameters:
    ///   - x: the features, `[count, …]`.
    ///   - y: the labels or targets, `[count, …]`, if any.
    ///   - residentBudget: resident bytes each mapping may add before its pages are dropped.
    /// - Throws: ``DataError`` for a missing, malformed or lying file, a 0-dimensional array, or
    ///   files holding different numbers of samples.
    public init(x: URL, y: URL? = nil, residentBudget: Int = 128 << 20) throws {
        let features = try MappedNPYFile(url: x, residentBudget: residentBudget)
        var fields = [(file: features, features: true)]
        if let y {
            let labels = try MappedNPYFile(url: y, residentBudget: residentBudget)
            guard labels.rowCount == features.rowCount else {
                throw DataError("\(x.lastPathComponent) holds \(features.rowCount) samples but \(y.lastPathComponent) holds \(labels.rowCount)",
                                source: y.lastPathComponent)
            }
            fields.append((file: labels, features: false))
        }
        self.fields = fields
        count = features.rowCount
    }

    /// Shape of one sample of each field (features first).
    public var sampleShapes: [[Int]] { fields.map(\.file.rowShape) }

    /// The element type each field is read as (features first).
    public var dtypes: [DType] {
        fields.map { NPYConversion.tensorType(of: $0.file.header.elementType, features: $0.features) }
    }

    /// The sample at `index`, one tensor per field.
    /// - Throws: ``DataError`` for an index out of range or an int64 outside the int32 range.
    public func sample(at index: Int) throws -> [Tensor] {
        try batch([index]).map { $0.reshape(Array($0.shape.dropFirst())) }
    }

    /// The samples at `indices` stacked along a new first axis, copied from the mapped files.
    /// - Throws: ``DataError`` for an index out of range or an int64 outside the int32 range.
    public func batch(_ indices: [Int]) throws -> [Tensor] {
        try zip(fields, dtypes).map { field, dtype in
            let tensor = Tensor(uninitializedShape: [indices.count] + field.file.rowShape, dtype: dtype)
            try field.file.copyRows(indices, into: tensor.storage.pointer, features: field.features)
            return tensor
        }
    }
}
