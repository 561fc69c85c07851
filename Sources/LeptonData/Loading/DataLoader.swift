import Foundation
import LeptonTensor

/// Batches of a ``Dataset`` (`torch.utils.data.DataLoader`): seeded shuffling reseeded each
/// epoch, optional drop of the last partial batch, and background prefetching on a thread of
/// its own so that assembling the next batches overlaps the computation on the current one.
///
/// The order of epoch `e` depends only on `seed` and `e` (as with `DistributedSampler.set_epoch`),
/// so a run resumed at epoch `e` sees exactly the batches an uninterrupted run would have.
///
/// ```swift
/// let loader = DataLoader(dataset, batchSize: 32, shuffle: true, seed: 7)
/// for batch in loader { let (x, y) = (batch[0], batch[1]) ... }   // one epoch; the next loop is the next epoch
/// for batch in loader.batches(epoch: 3) { ... }                     // epoch 3's batches
/// ```
public final class DataLoader: Sequence {
    public let dataset: Dataset
    public let batchSize: Int
    public let shuffle: Bool
    public let dropLast: Bool
    /// Batches prepared ahead on a background thread (0: none, load on demand).
    public let prefetch: Int
    /// Seeds the shuffle of every epoch (and the augmentation of every batch).
    public let seed: UInt64
    /// Changes each batch at random (training-time augmentation), seeded per batch.
    public let transform: BatchTransform?
    /// This process's part of every global batch when several train together (nil: all of it);
    /// see ``sharded(rank:count:)``.
    public let shard: DataShard?
    /// The epoch that iterating the loader as a `Sequence` goes through next.
    public var nextEpoch = 0

    public convenience init(_ dataset: Dataset, batchSize: Int, shuffle: Bool = false, dropLast: Bool = false,
                prefetch: Int = 2, seed: UInt64 = 0, transform: BatchTransform? = nil) {
        self.init(dataset, batchSize: batchSize, shuffle: shuffle, dropLast: dropLast, prefetch: prefetch, seed: seed,
                  transform: transform, shard: nil)
    }

    init(_ dataset: Dataset, batchSize: Int, shuffle: Bool, dropLast: Bool, prefetch: Int, seed: UInt64,
         transform: BatchTransform?, shard: DataShard?) {
        self.shard = shard
        self.transform = transform
        checkPrecondition(batchSize > 0, "DataLoader: batchSize must be positive, got \(batchSize)")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.prefetch = Swift.max(0, prefetch)
        self.seed = seed
    }

    /// Batches per epoch (with a ``shard``, global batches: every rank takes as many steps).
    public var count: Int {
        let global = globalBatchSize, n = dataset.count
        if dropLast { return n / global }
        let remainder = n % global
        // A last global batch too small to give every rank a sample is left out.
        return n / global + (remainder >= (shard?.count ?? 1) ? 1 : 0)
    }

    /// Samples per epoch over all ranks (without the samples a dropped last batch leaves out).
    public var sampleCount: Int { (0..<count).reduce(0) { $0 + globalBatchRows($1) } }

    /// The rows of one global batch: ``batchSize`` times the ranks of the ``shard``.
    public var globalBatchSize: Int { batchSize * (shard?.count ?? 1) }

    /// The rows global batch `batch` holds over all ranks (the last one may be smaller).
    public func globalBatchRows(_ batch: Int) -> Int {
        Swift.min(globalBatchSize, dataset.count - batch * globalBatchSize)
    }

    /// The index lists of epoch `epoch`'s batches (this rank's parts of them, with a ``shard``).
    public func batchIndices(epoch: Int) -> [[Int]] {
        var order = Array(0..<dataset.count)
        if shuffle {
            var generator = RandomGenerator(seed: Self.epochSeed(seed, epoch))
            order.shuffle(using: &generator)
        }
        let global = globalBatchSize
        return (0..<count).map { b in
            let start = b * global, rows = globalBatchRows(b)
            let part = shard.map { $0.range(of: rows) } ?? 0..<rows
            return Array(order[(start + part.lowerBound)..<(start + part.upperBound)])
        }
    }

    /// The batches of epoch `epoch`, assembled ahead on a background thread when `prefetch` > 0.
    public func batches(epoch: Int) -> Iterator {
        Iterator(dataset: dataset, batches: batchIndices(epoch: epoch), prefetch: prefetch, transform: transform,
                 seed: Self.epochSeed(seed ^ 0x5DEE_CE66_D1CE_4E5B, epoch))
    }

    /// The next epoch's batches (``nextEpoch`` moves on).
    public func makeIterator() -> Iterator {
        defer { nextEpoch += 1 }
        return batches(epoch: nextEpoch)
    }

    /// A seed for one epoch from the loader's seed (SplitMix64's finaliser over both).
    static func epochSeed(_ seed: UInt64, _ epoch: Int) -> UInt64 {
        var z = seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(truncatingIfNeeded: epoch &+ 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Iterates one epoch; with prefetching, a background thread fills a bounded queue. A batch
    /// that cannot be read (a corrupt file) ends the iteration: ``error`` then holds why, and
    /// `fit`, `evaluate` and `predict` throw it.
    public final class Iterator: IteratorProtocol, Sequence {
        private let dataset: Dataset
        private let batches: [[Int]]
        /// The next batch to hand out (with prefetching, written under `condition`: the producer reads it).
        private var position = 0
        private let prefetch: Int
        private let transform: BatchTransform?
        private let seed: UInt64
        private let condition = NSCondition()
        private var ready: [Int: Result<[Tensor], Error>] = [:]
        private var produced = 0
        private var cancelled = false
        /// Why the iteration ended early, if it did.
        public private(set) var error: Error?

        init(dataset: Dataset, batches: [[Int]], prefetch: Int, transform: BatchTransform?, seed: UInt64) {
            self.transform = transform
            self.seed = seed
            self.dataset = dataset
            self.batches = batches
            self.prefetch = prefetch
            if prefetch > 0 && batches.count > 1 {
                // The thread holds the iterator weakly between batches, so an abandoned
                // iterator is freed and its thread ends.
                let thread = Thread { [weak self] in
                    while let iterator = self, iterator.produceOne() {}
                }
                thread.stackSize = 1 << 20
                thread.start()
            }
        }

        deinit {
            condition.lock()
            cancelled = true
            condition.broadcast()
            condition.unlock()
        }

        /// Throws ``error`` when the iteration ended on one (call after the loop).
        public func rethrowError() throws {
            if let error { throw error }
        }

        private func load(_ index: Int) -> Result<[Tensor], Error> {
            Result {
                try Tensor.withoutGrad {
                    let batch = try dataset.batch(batches[index])
                    guard let transform else { return batch }
                    var generator = RandomGenerator(seed: DataLoader.epochSeed(seed, index))
                    return try transform.apply(batch, generator: &generator)
                }
            }
        }

        /// Prepares one batch when the queue has room; returns false when there is nothing left to do.
        private func produceOne() -> Bool {
            condition.lock()
            if !cancelled && produced < batches.count && produced - position >= prefetch {
                _ = condition.wait(until: Date(timeIntervalSinceNow: 0.1))
                condition.unlock()
                return true
            }
            if cancelled || produced >= batches.count { condition.unlock(); return false }
            let index = produced
            condition.unlock()
            let batch = load(index)
            condition.lock()
            ready[index] = batch
            produced += 1
            if case .failure = batch { produced = batches.count }   // nothing after a failed batch
            condition.broadcast()
            condition.unlock()
            return true
        }

        public func next() -> [Tensor]? {
            guard position < batches.count, error == nil else { return nil }
            let result: Result<[Tensor], Error>
            if prefetch > 0 && batches.count > 1 {
                condition.lock()
                while ready[position] == nil { condition.wait() }
                result = ready.removeValue(forKey: position)!
                position += 1   // under the lock: the producer reads it to bound the queue
                condition.broadcast()
                condition.unlock()
            } else {
                result = load(position)
                position += 1
            }
            switch result {
            case .success(let batch): return batch
            case .failure(let failure):
                error = failure
                return nil
            }
        }
    }
}
