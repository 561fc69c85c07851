import Foundation
import Testing
import LeptonTensor
import LeptonData

@Suite struct DatasetSubsetTests {
    @Test func readsThroughToItsBaseInItsOrder() throws {
        let x = Tensor((0..<12).map(Float.init), shape: [6, 2])
        let base = try TensorDataset(x, Tensor(indices: [0, 1, 2, 3, 4, 5]))
        let subset = try DatasetSubset(base, indices: [5, 0, 3])
        #expect(subset.count == 3)
        #expect(try subset.sample(at: 0)[0].scalars == [10, 11])
        let batch = try subset.batch([2, 1])
        #expect(batch[0].scalars == [6, 7, 0, 1] && batch[1].int32Scalars == [3, 0])
        #expect(throws: DataError.self) { try DatasetSubset(base, indices: [6]) }
        #expect(throws: DataError.self) { try DatasetSubset(base, indices: [-1]) }
        #expect(dataError { _ = try subset.batch([3]) }?.message == "sample 3 is out of range 0..<3")
        #expect(throws: DataError.self) { try subset.sample(at: -1) }
    }
}
