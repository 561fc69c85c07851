import Testing
import LeptonTensor
import LeptonTestSupport

/// Forward correctness of `Tensor+Index.swift` (index-select, gather, scatter-add, embedding,
/// one-hot) against NumPy, on every backend.
@Suite("Integer indexing agrees with NumPy")
struct IndexOracleTests {
    /// `count` seeded indices in `0..<bound`, of the given shape.
    static func indices(_ shape: [Int], bound: Int, seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        return Tensor.randint(shape, high: bound, generator: &rng)
    }

    @Test("indexSelect along an axis, with repeated indices", arguments: TestSupport.backendNames)
    func indexSelect(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let cases: [([Int], Int, Int)] = [([7], 0, 10), ([5, 3], 0, 8), ([5, 3], 1, 4), ([2, 6, 4], 1, 3),
                                              ([2, 6, 4], -1, 9), ([2, 1, 3, 5], 3, 2), ([1000, 64], 0, 700)]
            for (i, (shape, axis, count)) in cases.enumerated() {
                let x = TestSupport.randn(shape, seed: UInt64(i))
                let a = (axis + shape.count) % shape.count
                let index = Self.indices([count], bound: shape[a], seed: UInt64(50 + i))
                let c = try NumPyOracle.shared.compare("index_select", [x, index], attrs: ["axis": .int(axis)],
                                                       actual: x.indexSelect(axis: axis, index), tolerance: 0)
                #expect(c.passes, "\(c)")
            }
            // int32 data, and an empty index.
            let labels = Tensor(int32: [10, 20, 30, 40, 50, 60], shape: [3, 2])
            let index = Tensor(indices: [2, 0, 2])
            let c = try NumPyOracle.shared.compare("index_select", [labels, index], attrs: ["axis": 0],
                                                   actual: labels.indexSelect(axis: 0, index), tolerance: 0)
            #expect(c.passes, "\(c)")
            let x = TestSupport.randn([3, 4], seed: 99)
            let none = Tensor(int32: [], shape: [0])
            let e = try NumPyOracle.shared.compare("index_select", [x, none], attrs: ["axis": 1],
                                                   actual: x.indexSelect(axis: 1, none), tolerance: 0)
            #expect(e.passes, "\(e)")
        }
    }

    /// Input shapes, axis, and the index's length along that axis.
    static let gatherCases: [([Int], Int, Int)] = [([6], 0, 4), ([4, 5], 0, 3), ([4, 5], 1, 7), ([2, 3, 4], 1, 5),
                                                   ([2, 3, 4], -1, 2), ([2, 1, 3, 5], 3, 5), ([64, 100], 1, 1)]

    @Test("gather along an axis (take_along_axis)", arguments: TestSupport.backendNames)
    func gather(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            for (i, (shape, axis, count)) in Self.gatherCases.enumerated() {
                let x = TestSupport.randn(shape, seed: UInt64(100 + i))
                let a = (axis + shape.count) % shape.count
                var indexShape = shape
                indexShape[a] = count
                let index = Self.indices(indexShape, bound: shape[a], seed: UInt64(150 + i))
                let c = try NumPyOracle.shared.compare("gather", [x, index], attrs: ["axis": .int(axis)],
                                                       actual: x.gather(axis: axis, index), tolerance: 0)
                #expect(c.passes, "\(c)")
            }
        }
    }

    @Test("scatterAdd along an axis, accumulating repeated indices", arguments: TestSupport.backendNames)
    func scatterAdd(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            for (i, (shape, axis, count)) in Self.gatherCases.enumerated() {
                let x = TestSupport.randn(shape, seed: UInt64(200 + i))
                let a = (axis + shape.count) % shape.count
                var indexShape = shape
                indexShape[a] = count
                let index = Self.indices(indexShape, bound: shape[a], seed: UInt64(250 + i))
                let source = TestSupport.randn(indexShape, seed: UInt64(270 + i))
                // Repeated indices add up in float32: relative to the terms' unit scale.
                let c = try NumPyOracle.shared.compare("scatter_add", [x, index, source], attrs: ["axis": .int(axis)],
                                                       actual: x.scatterAdd(axis: axis, index, source))
                #expect(c.passes, "\(c)")
            }
        }
    }

    @Test("embedding lookup", arguments: TestSupport.backendNames)
    func embedding(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let weight = TestSupport.randn([10, 4], seed: 300)
            for (i, shape) in [[], [5], [2, 3], [2, 1, 3]].enumerated() {
                let ids = Self.indices(shape, bound: 10, seed: UInt64(310 + i))
                let c = try NumPyOracle.shared.compare("embedding", [weight, ids], actual: Tensor.embedding(weight, ids),
                                                       tolerance: 0)
                #expect(c.passes, "\(c)")
            }
        }
    }

    @Test("oneHot of class indices", arguments: TestSupport.backendNames)
    func oneHot(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            for (i, (shape, classes)) in [([], 3), ([6], 4), ([2, 3], 5), ([2, 1, 2], 1)].enumerated() {
                let ids = Self.indices(shape, bound: classes, seed: UInt64(320 + i))
                let c = try NumPyOracle.shared.compare("one_hot", [ids], attrs: ["classes": .int(classes)],
                                                       actual: Tensor.oneHot(ids, classes: classes), tolerance: 0)
                #expect(c.passes, "\(c)")
            }
        }
    }
}
