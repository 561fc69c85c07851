import LeptonTensor

/// The samples of a dataset at some indices, in that order (`torch.utils.data.Subset`): a view
/// that reads through to the dataset, never a copy of its data. Training, validation and test
/// parts of one file are subsets of it.
///
/// ```swift
/// let parts = randomSplit(count: data.count, fractions: [0.8, 0.2], seed: 42)
/// let train = try DatasetSubset(data, indices: parts[0]), test = try DatasetSubset(data, indices: parts[1])
/// ```
public struct DatasetSubset: Dataset {
    /// The dataset read through.
    public let base: Dataset
    /// The indices in ``base`` of this subset's samples.
    public let indices: [Int]

    /// - Throws: ``DataError`` when an index is outside `0..<base.count`.
    public init(_ base: Dataset, indices: [Int]) throws {
        if let bad = indices.first(where: { $0 < 0 || $0 >= base.count }) {
            throw DataError("subset index \(bad) is out of range 0..<\(base.count)")
        }
        self.base = base
        self.indices = indices
    }

    /// Number of samples in the subset.
    public var count: Int { indices.count }

    /// The subset's sample at `index`, read from ``base``.
    /// - Throws: ``DataError`` for an index out of range, or what ``base`` throws.
    public func sample(at index: Int) throws -> [Tensor] {
        try base.sample(at: indices[try checked(index)])
    }

    /// The subset's samples at `positions`, read from ``base`` in one batch.
    /// - Throws: ``DataError`` for a position out of range, or what ``base`` throws.
    public func batch(_ positions: [Int]) throws -> [Tensor] {
        try base.batch(positions.map { indices[try checked($0)] })
    }

    private func checked(_ position: Int) throws -> Int {
        guard position >= 0, position < indices.count else {
            throw DataError("sample \(position) is out of range 0..<\(indices.count)")
        }
        return position
    }
}

extension Dataset {
    /// The last ⌊count · fraction⌋ samples and the rest, as views (Keras's `validation_split`:
    /// taken from the end, before any shuffling); nil when either part would be empty.
    public func splittingOffLast(_ fraction: Float) -> (rest: DatasetSubset, last: DatasetSubset)? {
        let n = count, held = Int((Float(n) * fraction).rounded(.down))
        guard held > 0, held < n, let rest = try? DatasetSubset(self, indices: Array(0..<(n - held))),
              let last = try? DatasetSubset(self, indices: Array((n - held)..<n)) else { return nil }
        return (rest, last)
    }
}
