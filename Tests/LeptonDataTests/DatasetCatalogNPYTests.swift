import Foundation
import Testing
import LeptonTensor
import LeptonData

@Suite struct DatasetCatalogNPYTests {
    @Test func splitsAMappedFileIntoViewsOfIndices() throws {
        let dir = try makeTemporaryDirectory("catalognpy")
        defer { try? FileManager.default.removeItem(at: dir) }
        try runPython("""
            import sys, numpy as np
            np.save(sys.argv[1] + '/x.npy', np.arange(100 * 6, dtype=np.uint8).reshape(100, 3, 2, 1) % 251)
            np.save(sys.argv[1] + '/y.npy', np.arange(100, dtype=np.int64) % 10)
            """, [dir.path])
        let x = dir.appendingPathComponent("x.npy"), y = dir.appendingPathComponent("y.npy")
        let parts = try DatasetCatalog.npy(x: x, y: y, testFraction: 0.2, validationFraction: 0.1, seed: 7)
        #expect(parts.inputShape == [3, 2, 1] && parts.inputDType == .float32)
        let views = [parts.train, parts.validation, parts.test].compactMap { $0 as? DatasetSubset }
        #expect(views.count == 3 && views.allSatisfy { $0.base is NPYDataset })
        #expect(views.map(\.count) == [70, 10, 20])
        let all = views.flatMap(\.indices)
        #expect(Set(all) == Set(0..<100) && all.count == 100)
        #expect(views.allSatisfy { $0.indices == $0.indices.sorted() })
        let whole = try NPYReader.read(x)
        let batch = try parts.test.batch([0, 1])
        #expect(batch[0].scalars == whole.indexSelect(axis: 0, Tensor(indices: Array(views[2].indices.prefix(2)))).scalars)
        #expect(try DatasetCatalog.npy(x: x, y: y, seed: 7).validation == nil)
        #expect(throws: DataError.self) { try DatasetCatalog.npy(x: x, y: y, testFraction: 0) }
        #expect(throws: DataError.self) { try DatasetCatalog.npy(x: x, y: y, testFraction: 0.5, validationFraction: 0.5) }
        #expect(throws: DataError.self) { try DatasetCatalog.npy(x: x, y: y, testFraction: 0.001) }   // no test sample
    }
}
