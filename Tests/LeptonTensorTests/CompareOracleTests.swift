import Testing
import LeptonTensor
import LeptonTestSupport

/// Forward correctness of `Tensor+Compare.swift` (comparison masks and `where`) against NumPy,
/// on every backend.
@Suite("Comparisons and where agree with NumPy")
struct CompareOracleTests {
    struct CompareCase: Sendable, CustomTestStringConvertible {
        let name: String
        let apply: @Sendable (Tensor, Tensor) -> Tensor
        var testDescription: String { name }
    }

    static let cases: [CompareCase] = [
        CompareCase(name: "equal", apply: { $0.equal($1) }),
        CompareCase(name: "not_equal", apply: { $0.notEqual($1) }),
        CompareCase(name: "less", apply: { $0.less($1) }),
        CompareCase(name: "less_equal", apply: { $0.lessEqual($1) }),
        CompareCase(name: "greater", apply: { $0.greater($1) }),
        CompareCase(name: "greater_equal", apply: { $0.greaterEqual($1) }),
    ]

    static let shapePairs: [([Int], [Int])] = [([], []), ([6], []), ([3, 4], [3, 4]), ([2, 3, 4], [4]), ([2, 1, 4], [3, 1]),
                                               ([2, 3, 1, 5], [1, 3, 4, 1]), ([300, 257], [257])]

    /// Small integers, so that ties are common.
    static func integers(_ shape: [Int], seed: UInt64) -> Tensor {
        let x = TestSupport.randn(shape, seed: seed, scale: 2)
        return Tensor(x.scalars.map { $0.rounded() }, shape: shape)
    }

    @Test("comparison mask with broadcasting and ties", arguments: TestSupport.backendNames, cases)
    func compare(backend: String, op: CompareCase) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            for (i, (sa, sb)) in Self.shapePairs.enumerated() {
                let a = Self.integers(sa, seed: UInt64(2 * i)), b = Self.integers(sb, seed: UInt64(2 * i + 1))
                let c = try NumPyOracle.shared.compare(op.name, [a, b], actual: op.apply(a, b), tolerance: 0)
                #expect(c.passes, "\(c)")
                let d = try NumPyOracle.shared.compare(op.name, [b, a], actual: op.apply(b, a), tolerance: 0)
                #expect(d.passes, "\(d)")
            }
        }
    }

    @Test("comparison with a scalar", arguments: TestSupport.backendNames)
    func compareScalar(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let x = Self.integers([4, 5], seed: 90)
            let one = Tensor(1)
            for (name, actual) in [("equal", x.equal(1)), ("less", x.less(1)), ("greater", x.greater(1))] {
                let c = try NumPyOracle.shared.compare(name, [x, one], actual: actual, tolerance: 0)
                #expect(c.passes, "\(c)")
            }
        }
    }

    @Test("where with broadcasting of condition and both branches", arguments: TestSupport.backendNames)
    func select(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let cases: [([Int], [Int], [Int])] = [([], [], []), ([5], [5], [5]), ([3, 4], [4], []), ([3, 1], [1, 4], [3, 4]),
                                                  ([2, 1, 4], [3, 1], [2, 3, 4]), ([1, 3, 1, 5], [2, 1, 4, 1], [5]),
                                                  ([300, 257], [257], [300, 1])]
            for (i, (sc, sa, sb)) in cases.enumerated() {
                let mask = Tensor(TestSupport.randn(sc, seed: UInt64(100 + i)).scalars.map { $0 > 0 ? 1 : 0 }, shape: sc)
                let a = TestSupport.randn(sa, seed: UInt64(200 + i)), b = TestSupport.randn(sb, seed: UInt64(300 + i))
                let c = try NumPyOracle.shared.compare("where", [mask, a, b], actual: Tensor.where(mask, a, b), tolerance: 0)
                #expect(c.passes, "\(c)")
            }
        }
    }
}
