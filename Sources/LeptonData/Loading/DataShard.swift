import LeptonTensor

/// One rank's part of the data when several processes train together (data parallelism, as
/// PyTorch's `DistributedSampler`): every global batch is split into `count` disjoint,
/// contiguous parts, and rank `rank` reads part `rank`.
///
/// ```swift
/// let shard = try DataShard(rank: 1, count: 2)
/// let mine = loader.sharded(rank: 1, count: 2)   // batches of 16 = the second half of each global batch of 32
/// ```
public struct DataShard: Sendable, Equatable {
    /// This rank, `0..<count`.
    public let rank: Int
    /// The number of ranks.
    public let count: Int

    /// - Throws: ``DataError`` when `count` is not positive or `rank` is outside `0..<count`.
    public init(rank: Int, count: Int) throws {
        guard count > 0, (0..<count).contains(rank) else {
            throw DataError("data shard: expected a rank in 0..<count and a positive count, got rank \(rank) of \(count)")
        }
        self.rank = rank
        self.count = count
    }

    /// This rank's rows of a batch of `rows` rows (`rank·rows/count ..< (rank+1)·rows/count`):
    /// the parts are disjoint, cover the batch, and differ in size by at most one row.
    public func range(of rows: Int) -> Range<Int> {
        (rank * rows / count)..<((rank + 1) * rows / count)
    }
}

extension DataLoader {
    /// The loader rank `rank` of `count` reads in data-parallel training: the same seed and
    /// order per epoch as this loader, global batches of `count × batchSize` rows, of which
    /// this rank reads its ``DataShard/range(of:)`` — so `count` ranks with batches of 16 read
    /// together exactly the batches one process with batches of `16 × count` reads, reshuffled
    /// every epoch. A last global batch with fewer rows than ranks is left out.
    /// - Throws: ``DataError`` for a rank outside `0..<count`.
    public func sharded(rank: Int, count: Int) throws -> DataLoader {
        DataLoader(dataset, batchSize: batchSize, shuffle: shuffle, dropLast: dropLast, prefetch: prefetch, seed: seed,
                   transform: transform, shard: try DataShard(rank: rank, count: count))
    }

    /// The loader rank `rank` of `count` reads to evaluate: a contiguous, disjoint part of the
    /// dataset (sizes differ by at most one sample), in order and in batches of ``batchSize``,
    /// so that over all ranks every sample is counted exactly once (no padding, no duplicates).
    /// - Throws: ``DataError`` for a rank outside `0..<count`.
    public func evaluationShard(rank: Int, count: Int) throws -> DataLoader {
        let part = try DataShard(rank: rank, count: count).range(of: dataset.count)
        return DataLoader(try DatasetSubset(dataset, indices: Array(part)), batchSize: batchSize, shuffle: false,
                          dropLast: false, prefetch: prefetch, seed: seed, transform: nil)
    }
}
