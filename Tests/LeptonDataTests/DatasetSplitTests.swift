import Foundation
import Testing
import LeptonTensor
import LeptonData

@Suite struct DatasetSplitTests {
    @Test func randomSplitIsDisjointCompleteAndSeeded() {
        for (count, fractions) in [(100, [0.8, 0.2]), (7, [0.5, 0.25, 0.25]), (10, [1.0]), (5, [0.0, 1.0]), (3, [0.34, 0.33, 0.33])] {
            let parts = randomSplit(count: count, fractions: fractions, seed: 42)
            #expect(parts.count == fractions.count)
            let all = parts.joined()
            #expect(all.count == count && Set(all) == Set(0..<count), "\(count) \(fractions): \(parts)")
        }
        let parts = randomSplit(count: 100, fractions: [0.8, 0.2], seed: 42)
        #expect(parts.map(\.count) == [80, 20])
        #expect(parts == randomSplit(count: 100, fractions: [0.8, 0.2], seed: 42))
        #expect(parts != randomSplit(count: 100, fractions: [0.8, 0.2], seed: 43))
        #expect(parts[0] != Array(0..<80))
        #expect(randomSplit(count: 0, fractions: [0.5, 0.5], seed: 1) == [[], []])
    }

    @Test func tensorDatasetChecksCountsAndBatchesRows() throws {
        let x = Tensor((0..<12).map(Float.init), shape: [6, 2])
        let y = Tensor(indices: [5, 4, 3, 2, 1, 0])
        let data = try TensorDataset(x, y)
        #expect(data.count == 6)
        let sample = data.sample(at: 2)
        #expect(sample[0].shape == [2] && sample[0].scalars == [4, 5])
        #expect(sample[1].shape == [] && sample[1].int32Scalars == [3])
        let batch = data.batch([4, 1])
        #expect(batch[0].scalars == [8, 9, 2, 3] && batch[1].int32Scalars == [1, 4])
        #expect(throws: DataError.self) { try TensorDataset(x, Tensor.zeros([5])) }
        #expect(throws: DataError.self) { try TensorDataset([]) }
        #expect(throws: DataError.self) { try TensorDataset(Tensor(1)) }
        // The default batch of a Dataset stacks samples.
        struct Squares: Dataset {
            var count: Int { 4 }
            func sample(at index: Int) -> [Tensor] { [Tensor([Float(index * index)])] }
        }
        #expect(try Squares().batch([3, 0, 2]).first?.scalars == [9, 0, 4])
        #expect(try Squares().batch([]).isEmpty)
    }
}
