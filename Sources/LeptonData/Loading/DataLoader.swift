import Foundation
import LeptonTensor

/// Batches of a ``Dataset`` (`torch.utils.data.DataLoader`): seeded shuffling each epoch,
/// optional drop of the last partial batch, and background prefetching so that assembling the
/// next batches overlaps the computation on the current one.
///
/// ```swift
/// let loader = DataLoader(dataset, batchSize: 32, shuffle: true, seed: 7)
/// for batch in loader { let (x, y) = (batch[0], batch[1]) ... }
/// ```
public final class DataLoader: Sequence {
    public let dataset: Dataset
    public let batchSize: Int
    public let shuffle: Bool
    public let dropLast: Bool
    /// Batches prepared ahead on a background thread (0: none, load on demand).
    public let prefetch: Int
    private var generator: RandomGenerator

    public init(_ dataset: Dataset, batchSize: Int, shuffle: Bool = false, dropLast: Bool = false,
                prefetch: Int = 2, seed: UInt64 = 0) {
        checkPrecondition(batchSize > 0, "DataLoader: batchSize must be positive, got \(batchSize)")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.prefetch = Swift.max(0, prefetch)
        self.generator = RandomGenerator(seed: seed)
    }

    /// Batches per epoch.
    public var count: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// The index lists of the next epoch's batches (advances the shuffle).
    public func nextEpochBatches() -> [[Int]] {
        var order = Array(0..<dataset.count)
        if shuffle { order.shuffle(using: &generator) }
        return (0..<count).map { b in Array(order[(b * batchSize)..<Swift.min((b + 1) * batchSize, order.count)]) }
    }

    public func makeIterator() -> Iterator {
        Iterator(dataset: dataset, batches: nextEpochBatches(), prefetch: prefetch)
    }

    /// Iterates one epoch; with prefetching, a background thread fills a bounded queue.
    public final class Iterator: IteratorProtocol {
        private let dataset: Dataset
        private let batches: [[Int]]
        private var position = 0
        private let prefetch: Int
        private let condition = NSCondition()
        private var ready: [Int: [Tensor]] = [:]
        private var produced = 0
        private var cancelled = false

        init(dataset: Dataset, batches: [[Int]], prefetch: Int) {
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
            let batch = Tensor.withoutGrad { dataset.batch(batches[index]) }
            condition.lock()
            ready[index] = batch
            produced += 1
            condition.broadcast()
            condition.unlock()
            return true
        }

        public func next() -> [Tensor]? {
            guard position < batches.count else { return nil }
            guard prefetch > 0 && batches.count > 1 else {
                defer { position += 1 }
                return Tensor.withoutGrad { dataset.batch(batches[position]) }
            }
            condition.lock()
            defer { condition.unlock() }
            while ready[position] == nil { condition.wait() }
            let batch = ready.removeValue(forKey: position)!
            position += 1
            condition.broadcast()
            return batch
        }
    }
}
