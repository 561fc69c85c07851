import Testing
import LeptonTensor
import LeptonTestSupport

/// Forward correctness of `Tensor+Softmax.swift` against NumPy, on every backend.
@Suite("Softmax and log-softmax agree with NumPy")
struct SoftmaxOracleTests {
    static let cases: [([Int], Int)] = [
        ([], 0), ([1], 0), ([7], 0), ([7], -1), ([3, 5], 1), ([3, 5], 0), ([2, 3, 4], 1), ([2, 3, 4], -1), ([2, 3, 4], 0),
        ([2, 1, 3, 5], 1), ([2, 1, 3, 5], 3), ([4, 1], 1), ([64, 1000], 1), ([257, 300], 0),
    ]

    @Test("softmax along an axis", arguments: TestSupport.backendNames, ["softmax", "log_softmax"])
    func softmax(backend: String, op: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            for (i, (shape, axis)) in Self.cases.enumerated() {
                let x = TestSupport.randn(shape, seed: UInt64(60 + i), scale: 3)
                let actual = op == "softmax" ? x.softmax(axis: axis) : x.logSoftmax(axis: axis)
                // Probabilities are checked each relative to itself; log-probabilities near 0 come
                // from a difference of terms of the inputs' scale, so relative to that.
                let c = try NumPyOracle.shared.compare(op, [x], attrs: ["axis": .int(axis)], actual: actual,
                                                       floor: op == "softmax" ? 1e-6 : 1)
                #expect(c.passes, "\(c)")
            }
        }
    }

    @Test("softmax of large and -inf logits", arguments: TestSupport.backendNames, ["softmax", "log_softmax"])
    func extremeLogits(backend: String, op: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let x = Tensor([1000, 999, 998, 0, -50, 10, 40, 80, -.infinity, 0, 1, 2], shape: [3, 4])
            let actual = op == "softmax" ? x.softmax(axis: 1) : x.logSoftmax(axis: 1)
            let c = try NumPyOracle.shared.compare(op, [x], attrs: ["axis": 1], actual: actual, floor: 1e-6)
            #expect(c.passes, "\(c)")
        }
    }
}
