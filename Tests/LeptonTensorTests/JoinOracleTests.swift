import Testing
import LeptonTensor
import LeptonTestSupport

/// Forward correctness of `Tensor+Join.swift` (concatenate, stack, split, pad) against NumPy,
/// on every backend. These ops move values without arithmetic, so they must agree exactly.
@Suite("Joining, splitting and padding agree with NumPy")
struct JoinOracleTests {
    @Test("concatenate along an axis", arguments: TestSupport.backendNames)
    func concatenate(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let cases: [([[Int]], Int)] = [
                ([[3], [5]], 0), ([[3], [0], [2]], 0), ([[2, 3], [2, 5]], 1), ([[2, 3], [4, 3], [1, 3]], 0),
                ([[2, 3, 4], [2, 1, 4]], -2), ([[2, 3, 4], [2, 3, 1], [2, 3, 2]], -1), ([[1, 2, 3, 4], [1, 2, 3, 4]], 3),
                ([[1, 2, 3, 4]], 1), ([[100, 300], [100, 257]], 1),
            ]
            for (i, (shapes, axis)) in cases.enumerated() {
                let parts = shapes.enumerated().map { TestSupport.randn($0.element, seed: UInt64(10 * i + $0.offset)) }
                let c = try NumPyOracle.shared.compare("concatenate", parts, attrs: ["axis": .int(axis)],
                                                       actual: Tensor.concatenate(parts, axis: axis), tolerance: 0)
                #expect(c.passes, "\(c)")
            }
            let ints = [Tensor(int32: [1, 2, 3, 4], shape: [2, 2]), Tensor(int32: [-5, 6], shape: [2, 1])]
            let c = try NumPyOracle.shared.compare("concatenate", ints, attrs: ["axis": 1],
                                                   actual: Tensor.concatenate(ints, axis: 1), tolerance: 0)
            #expect(c.passes, "\(c)")
        }
    }

    @Test("stack along a new axis", arguments: TestSupport.backendNames)
    func stack(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let cases: [([Int], Int, Int)] = [([], 3, 0), ([4], 2, 0), ([4], 3, 1), ([4], 2, -1), ([2, 3], 4, 1),
                                              ([2, 3, 4], 2, 3), ([2, 1, 3], 3, -2)]
            for (i, (shape, count, axis)) in cases.enumerated() {
                let parts = (0..<count).map { TestSupport.randn(shape, seed: UInt64(100 + 10 * i + $0)) }
                let c = try NumPyOracle.shared.compare("stack", parts, attrs: ["axis": .int(axis)],
                                                       actual: Tensor.stack(parts, axis: axis), tolerance: 0)
                #expect(c.passes, "\(c)")
            }
        }
    }

    @Test("split by sizes and into equal parts", arguments: TestSupport.backendNames)
    func split(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([6, 4, 10], seed: 200)
            for (sizes, axis) in [([2, 4], 0), ([1, 0, 3], 1), ([3, 3, 4], -1), ([10], 2)] {
                let c = try NumPyOracle.shared.compare("split", [x], attrs: ["sizes": .ints(sizes), "axis": .int(axis)],
                                                       actual: x.split(sizes: sizes, axis: axis), tolerance: 0)
                #expect(c.passes, "\(c)")
            }
            for (parts, axis) in [(3, 0), (2, 1), (5, -1), (1, 0)] {
                let c = try NumPyOracle.shared.compare("split", [x], attrs: ["parts": .int(parts), "axis": .int(axis)],
                                                       actual: x.split(parts: parts, axis: axis), tolerance: 0)
                #expect(c.passes, "\(c)")
            }
        }
    }

    @Test("pad with a constant", arguments: TestSupport.backendNames)
    func pad(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let cases: [([Int], [(Int, Int)], Float)] = [
                ([5], [(2, 3)], 0), ([5], [(0, 0)], 1), ([3, 4], [(1, 0)], -2.5), ([3, 4], [(1, 2), (3, 0)], 0),
                ([2, 3, 4], [(0, 1), (2, 2), (1, 1)], 7), ([1, 2, 3, 4], [(0, 0), (0, 0), (1, 1), (2, 2)], 0),
                ([0, 3], [(1, 1), (0, 1)], 4),
            ]
            for (i, (shape, widths, value)) in cases.enumerated() {
                let x = TestSupport.randn(shape, seed: UInt64(300 + i))
                let attrs: OracleAttributes = ["widths": .array(widths.map { .ints([$0.0, $0.1]) }), "value": .float(value)]
                let c = try NumPyOracle.shared.compare("pad", [x], attrs: attrs, actual: x.pad(widths, value: value), tolerance: 0)
                #expect(c.passes, "\(c)")
            }
        }
    }
}
