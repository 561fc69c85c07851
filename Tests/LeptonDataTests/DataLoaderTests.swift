import Foundation
import Testing
import LeptonTensor
import LeptonData

/// Samples `[i, 10·i]` with label `i`, counting how many batches were assembled.
final class CountingDataset: Dataset, @unchecked Sendable {
    let count: Int
    let delay: TimeInterval
    private let lock = NSLock()
    private var batches = 0
    init(count: Int, delay: TimeInterval = 0) { self.count = count; self.delay = delay }
    var batchesMade: Int { lock.lock(); defer { lock.unlock() }; return batches }
    func sample(at index: Int) -> [Tensor] {
        [Tensor([Float(index), Float(10 * index)], shape: [2]), Tensor(int32: [Int32(index)], shape: [])]
    }
    func batch(_ indices: [Int]) -> [Tensor] {
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        lock.lock(); batches += 1; lock.unlock()
        let samples = indices.map(sample(at:))
        return [Tensor.stack(samples.map { $0[0] }), Tensor.stack(samples.map { $0[1] })]
    }
}

@Suite struct DataLoaderTests {
    func labels(_ loader: DataLoader) -> [[Int32]] { loader.map { $0[1].int32Scalars } }

    @Test func countsBatchesWithAndWithoutDropLast() {
        let data = CountingDataset(count: 10)
        #expect(DataLoader(data, batchSize: 3).count == 4)
        #expect(DataLoader(data, batchSize: 3, dropLast: true).count == 3)
        #expect(DataLoader(data, batchSize: 5, dropLast: true).count == 2)
        #expect(DataLoader(data, batchSize: 20).count == 1)
        #expect(DataLoader(data, batchSize: 20, dropLast: true).count == 0)
        let sizes = DataLoader(data, batchSize: 3).map { $0[0].shape[0] }
        #expect(sizes == [3, 3, 3, 1])
        let dropped = DataLoader(data, batchSize: 3, dropLast: true).map { $0[0].shape }
        #expect(dropped == [[3, 2], [3, 2], [3, 2]])
        #expect(Array(DataLoader(data, batchSize: 20, dropLast: true)).isEmpty)
        #expect(Array(DataLoader(CountingDataset(count: 0), batchSize: 4)).isEmpty)
    }

    @Test func unshuffledBatchesKeepTheOrderAndPairFields() {
        let batches = Array(DataLoader(CountingDataset(count: 5), batchSize: 2, prefetch: 0))
        #expect(batches.map { $0[1].int32Scalars } == [[0, 1], [2, 3], [4]])
        #expect(batches[1][0].scalars == [2, 20, 3, 30])
    }

    @Test func seededShufflingIsReproducibleAndDiffersPerEpoch() {
        let data = CountingDataset(count: 50)
        let a = DataLoader(data, batchSize: 8, shuffle: true, seed: 11)
        let b = DataLoader(data, batchSize: 8, shuffle: true, seed: 11)
        let epochA1 = labels(a), epochA2 = labels(a)
        #expect(epochA1 == labels(b))
        #expect(epochA2 == labels(b))
        #expect(epochA1 != epochA2)
        #expect(epochA1.joined().map(Int.init) != Array(0..<50))
        #expect(labels(DataLoader(data, batchSize: 8, shuffle: true, seed: 12)) != epochA1)
        for epoch in [epochA1, epochA2] {
            #expect(epoch.joined().map(Int.init).sorted() == Array(0..<50))   // every sample exactly once
            #expect(epoch.map(\.count) == [8, 8, 8, 8, 8, 8, 2])
        }
        // Each batch's fields come from the same samples.
        for batch in DataLoader(data, batchSize: 8, shuffle: true, seed: 3) {
            let x = batch[0].scalars, y = batch[1].int32Scalars
            #expect(y.enumerated().allSatisfy { x[2 * $0.offset] == Float($0.element) && x[2 * $0.offset + 1] == Float(10 * $0.element) })
        }
    }

    @Test func dropLastWithShufflingUsesDistinctSamples() {
        let loader = DataLoader(CountingDataset(count: 23), batchSize: 5, shuffle: true, dropLast: true, seed: 4)
        let seen = labels(loader).joined().map(Int.init)
        #expect(seen.count == 20 && Set(seen).count == 20)
    }

    @Test func prefetchingGivesTheSameBatchesAsLoadingOnDemand() {
        let data = CountingDataset(count: 37)
        for prefetch in [1, 2, 5] {
            let on = DataLoader(data, batchSize: 4, shuffle: true, prefetch: prefetch, seed: 9)
            let off = DataLoader(data, batchSize: 4, shuffle: true, prefetch: 0, seed: 9)
            for _ in 0..<2 {
                let a = Array(on), b = Array(off)
                #expect(a.count == 10 && a.count == b.count)
                #expect(zip(a, b).allSatisfy { $0[0].scalars == $1[0].scalars && $0[1].int32Scalars == $1[1].int32Scalars })
            }
        }
    }

    @Test func abandoningAnIteratorMidwayDoesNotHangOrKeepLoading() {
        let data = CountingDataset(count: 400, delay: 0.002)
        let loader = DataLoader(data, batchSize: 4, prefetch: 2)
        let start = Date()
        do {
            let iterator = loader.makeIterator()
            #expect(iterator.next()?[1].int32Scalars == [0, 1, 2, 3])
            #expect(iterator.next()?[1].int32Scalars == [4, 5, 6, 7])
        }
        // The producer stops once the iterator is gone: far fewer than the 100 batches are made.
        Thread.sleep(forTimeInterval: 0.3)
        let made = data.batchesMade
        #expect(made <= 6, "\(made) batches assembled after abandoning the iterator")
        Thread.sleep(forTimeInterval: 0.1)
        #expect(data.batchesMade == made)
        // A new epoch still works.
        #expect(Array(loader).count == 100)
        #expect(Date().timeIntervalSince(start) < 10)
    }
}

/// Each epoch's order follows from the seed and the epoch alone (resuming needs no saved state).
@Suite struct DataLoaderEpochTests {
    @Test func anEpochsOrderDependsOnlyOnTheSeedAndTheEpoch() {
        let data = CountingDataset(count: 40)
        let sequential = DataLoader(data, batchSize: 8, shuffle: true, seed: 5)
        let epochs = (0..<3).map { _ in sequential.map { $0[1].int32Scalars } }
        let fresh = DataLoader(data, batchSize: 8, shuffle: true, seed: 5)
        #expect(fresh.batches(epoch: 2).map { $0[1].int32Scalars } == epochs[2])
        #expect(fresh.batchIndices(epoch: 1).map { $0.map(Int32.init) } == epochs[1])
        #expect(epochs[0] != epochs[1] && epochs[1] != epochs[2])
        #expect(sequential.nextEpoch == 3 && sequential.sampleCount == 40)
        #expect(DataLoader(data, batchSize: 16, dropLast: true).sampleCount == 32)
    }
}

/// Augmentation runs in the loader, per batch, seeded by the loader's seed, the epoch and the batch.
@Suite struct DataLoaderAugmentationTests {
    static func images() throws -> TensorDataset {
        let x = Tensor((0..<(6 * 4 * 4)).map { Float($0 % 200) }, shape: [6, 4, 4, 1])
        return try TensorDataset(x, Tensor(int32: [0, 1, 2, 3, 4, 5], shape: [6]))
    }

    @Test func augmentedBatchesAreReproducibleAndDifferPerEpoch() throws {
        let augmentation = ImageAugmentation(horizontalFlip: true, maxShift: 0.25, maxBrightness: 0.1, maxContrast: 0.2, noise: 0.01)
        let a = DataLoader(try Self.images(), batchSize: 3, seed: 7, transform: augmentation)
        let b = DataLoader(try Self.images(), batchSize: 3, seed: 7, transform: augmentation)
        let plain = DataLoader(try Self.images(), batchSize: 3, seed: 7)
        let epoch0 = a.batches(epoch: 0).map { $0[0].scalars }, again = b.batches(epoch: 0).map { $0[0].scalars }
        #expect(epoch0 == again)
        #expect(epoch0 != a.batches(epoch: 1).map { $0[0].scalars })
        #expect(epoch0 != plain.batches(epoch: 0).map { $0[0].scalars })
        #expect(a.batches(epoch: 0).map { $0[1].int32Scalars } == [[0, 1, 2], [3, 4, 5]])   // labels untouched
        #expect(epoch0.joined().allSatisfy { $0 >= 0 && $0 <= 255 })
    }

    @Test func aTransformThatDoesNotFitTheBatchIsAnError() throws {
        let loader = DataLoader(try TensorDataset(Tensor.ones([4, 3]), Tensor.ones([4])), batchSize: 2, prefetch: 0,
                                transform: ImageAugmentation(horizontalFlip: true))
        let batches = loader.batches(epoch: 0)
        #expect(batches.next() == nil)
        #expect(throws: DataError.self) { try batches.rethrowError() }
    }
}
