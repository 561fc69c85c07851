import LeptonData
import LeptonTensor
import Testing

/// The distributed sampler: disjoint shards that together are exactly the batches of one
/// process with the global batch size, reshuffled every epoch, and evaluation shards that count
/// every sample once.
@Suite struct DataShardTests {
    func dataset(_ n: Int) throws -> TensorDataset {
        try TensorDataset(Tensor((0..<n).map(Float.init), shape: [n, 1]), Tensor((0..<n).map(Float.init), shape: [n]))
    }

    @Test func shardsSplitEachGlobalBatchOfOneProcess() throws {
        let data = try dataset(100)
        let single = DataLoader(data, batchSize: 32, shuffle: true, seed: 9)
        let shards = try (0..<2).map { try DataLoader(data, batchSize: 16, shuffle: true, seed: 9).sharded(rank: $0, count: 2) }
        for epoch in 0..<3 {
            let whole = single.batchIndices(epoch: epoch)
            let parts = shards.map { $0.batchIndices(epoch: epoch) }
            #expect(parts[0].count == whole.count && parts[1].count == whole.count)
            for (b, batch) in whole.enumerated() {
                #expect(parts[0][b] + parts[1][b] == batch, "epoch \(epoch) batch \(b)")
                #expect(Set(parts[0][b]).isDisjoint(with: parts[1][b]))
                #expect(shards[0].globalBatchRows(b) == batch.count)
            }
            #expect(Set(parts.flatMap { $0.flatMap { $0 } }) == Set(0..<100))   // covers all, no repeats
            #expect(parts.flatMap { $0.flatMap { $0 } }.count == 100)
        }
        // Reshuffled every epoch, the same on every rank for the same epoch.
        #expect(shards[0].batchIndices(epoch: 0) != shards[0].batchIndices(epoch: 1))
        #expect(shards[1].batchIndices(epoch: 2) == (try DataLoader(data, batchSize: 16, shuffle: true, seed: 9).sharded(rank: 1, count: 2)).batchIndices(epoch: 2))
    }

    @Test func unevenLastBatchesAndTooSmallOnes() throws {
        // 35 samples, 3 ranks × 4: global batches of 12, 12, 11 → the last split 3/4/4.
        let data = try dataset(35)
        let shards = try (0..<3).map { try DataLoader(data, batchSize: 4).sharded(rank: $0, count: 3) }
        #expect(shards.map { $0.batchIndices(epoch: 0).last!.count } == [3, 4, 4])
        #expect(shards[0].count == 3 && shards[0].sampleCount == 35)
        // 25 samples, 3 ranks × 4: a last global batch of 1 cannot give every rank a row; it is left out.
        let small = try (0..<3).map { try DataLoader(try dataset(25), batchSize: 4).sharded(rank: $0, count: 3) }
        #expect(small.allSatisfy { $0.count == 2 } && small[0].sampleCount == 24)
        #expect(throws: DataError.self) { try DataLoader(data, batchSize: 4).sharded(rank: 3, count: 3) }
    }

    @Test func evaluationShardsCountEverySampleOnce() throws {
        for (n, ranks) in [(10, 3), (2, 4), (64, 2)] {
            let loader = DataLoader(try dataset(n), batchSize: 4)
            var seen: [Float] = []
            for rank in 0..<ranks {
                for batch in try loader.evaluationShard(rank: rank, count: ranks).batches(epoch: 0) { seen += batch[1].scalars }
            }
            #expect(seen == (0..<n).map(Float.init), "\(n) samples over \(ranks) ranks")
        }
    }
}
