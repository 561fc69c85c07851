import Testing
import LeptonTensor
import LeptonTestSupport

/// Forward correctness of `Tensor+MatMul.swift` against `np.matmul`, on every backend.
@Suite("Matrix products agree with NumPy")
struct MatMulOracleTests {
    /// Operand shapes: 2-D, 1-D on either side, batched, broadcast batch dimensions.
    static let cases: [([Int], [Int])] = [
        ([3, 4], [4, 5]), ([1, 7], [7, 1]), ([7, 1], [1, 6]), ([5], [5]), ([5], [5, 3]), ([2, 5], [5]),
        ([2, 3, 4], [4, 5]), ([4, 5], [3, 5, 2]), ([2, 3, 4], [2, 4, 5]), ([2, 1, 3, 4], [3, 4, 2]),
        ([4], [2, 4, 3]), ([2, 3, 4], [4]), ([1, 2, 3, 4], [2, 1, 4, 6]), ([3, 0], [0, 4]),
        ([64, 128], [128, 96]), ([33, 65], [65, 17]),
    ]

    @Test("matmul of random operands", arguments: TestSupport.backendNames)
    func matmul(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            for (i, (sa, sb)) in Self.cases.enumerated() {
                // b scaled by 1/√k, so that outputs are of unit scale and floor 1 checks errors of
                // the long sums relative to the outputs' magnitude.
                let k = Float(Swift.max(sa.last!, 1))
                let a = TestSupport.randn(sa, seed: UInt64(2 * i))
                let b = TestSupport.randn(sb, seed: UInt64(2 * i + 1), scale: 1 / k.squareRoot())
                let c = try NumPyOracle.shared.compare("matmul", [a, b], actual: a.matmul(b), floor: 1)
                #expect(c.passes, "\(c)")
            }
        }
    }

    @Test("matmul with a transposed operand", arguments: TestSupport.backendNames)
    func matmulTransposed(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let q = TestSupport.randn([2, 3, 5, 8], seed: 50), k = TestSupport.randn([2, 3, 6, 8], seed: 51)
            let kt = k.transposed()
            let c = try NumPyOracle.shared.compare("matmul", [q, kt], actual: q.matmul(kt), floor: 1)
            #expect(c.passes, "\(c)")
        }
    }

    // MARK: Errors a caller can cause

    @Test("matmul with different inner dimensions stops, naming the op and both shapes")
    func innerDimensionMismatchExits() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).matmul(Tensor.zeros([4, 5]))
        }
        if let result {
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("matmul"), "\(message)")
            #expect(message.contains("[2, 3]") && message.contains("[4, 5]"), "\(message)")
        }
    }

    @Test("matmul with batch dimensions that do not broadcast stops, naming both shapes")
    func batchMismatchExits() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3, 4]).matmul(Tensor.zeros([3, 4, 5]))
        }
        if let result {
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("matmul"), "\(message)")
            #expect(message.contains("[2, 3, 4]") && message.contains("[3, 4, 5]"), "\(message)")
        }
    }
}
