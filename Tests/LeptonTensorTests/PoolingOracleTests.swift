import Testing
import LeptonTensor
import LeptonTestSupport

/// Forward correctness of `Tensor+Pooling.swift` against NumPy implementations of PyTorch's
/// `max_pool2d` and `avg_pool2d` (padding, `count_include_pad`, `ceil_mode`), on every backend.
@Suite("Pooling agrees with NumPy")
struct PoolingOracleTests {
    struct PoolCase: Sendable, CustomTestStringConvertible {
        let input: [Int]
        let kernel: [Int]
        var stride: [Int]? = nil
        var padding = [0, 0]
        var ceilMode = false
        var testDescription: String {
            "\(input) kernel \(kernel) stride \(stride ?? kernel) padding \(padding)\(ceilMode ? " ceil" : "")"
        }
    }

    static let cases: [PoolCase] = [
        PoolCase(input: [2, 3, 8, 8], kernel: [2, 2]),
        PoolCase(input: [2, 3, 7, 7], kernel: [2, 2]),
        PoolCase(input: [1, 2, 7, 7], kernel: [2, 2], ceilMode: true),
        PoolCase(input: [2, 2, 9, 8], kernel: [3, 3], stride: [2, 2], padding: [1, 1]),
        PoolCase(input: [1, 3, 8, 9], kernel: [3, 3], stride: [2, 2], padding: [1, 1], ceilMode: true),
        PoolCase(input: [1, 2, 6, 6], kernel: [3, 3], stride: [2, 2], padding: [1, 1], ceilMode: true),
        PoolCase(input: [2, 2, 5, 7], kernel: [2, 3], stride: [1, 2]),
        PoolCase(input: [1, 1, 5, 5], kernel: [3, 2], stride: [3, 3], padding: [1, 1], ceilMode: true),
        PoolCase(input: [1, 4, 4, 4], kernel: [4, 4]),
        PoolCase(input: [3, 2, 1, 6], kernel: [1, 3], stride: [1, 1], padding: [0, 1]),
        // The benchmark's shape class: [4, 32, 28, 28] → 14×14.
        PoolCase(input: [4, 32, 28, 28], kernel: [2, 2]),
    ]

    @Test("maxPool2d", arguments: TestSupport.backendNames, cases)
    func maxPool(backend: String, pool: PoolCase) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn(pool.input, seed: 1)
            let attrs: OracleAttributes = ["kernel": .ints(pool.kernel), "stride": pool.stride.map { .ints($0) } ?? nil,
                                           "padding": .ints(pool.padding), "ceil_mode": .bool(pool.ceilMode)]
            let actual = x.maxPool2d(kernel: pool.kernel, stride: pool.stride, padding: pool.padding, ceilMode: pool.ceilMode)
            let c = try NumPyOracle.shared.compare("max_pool2d", [x], attrs: attrs, actual: actual, tolerance: 0)
            #expect(c.passes, "\(c)")
        }
    }

    @Test("avgPool2d, counting padding or not", arguments: TestSupport.backendNames, cases)
    func avgPool(backend: String, pool: PoolCase) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn(pool.input, seed: 2)
            for includePad in [true, false] {
                let attrs: OracleAttributes = ["kernel": .ints(pool.kernel), "stride": pool.stride.map { .ints($0) } ?? nil,
                                               "padding": .ints(pool.padding), "ceil_mode": .bool(pool.ceilMode),
                                               "count_include_pad": .bool(includePad)]
                let actual = x.avgPool2d(kernel: pool.kernel, stride: pool.stride, padding: pool.padding,
                                         countIncludePad: includePad, ceilMode: pool.ceilMode)
                // A mean of a few unit-scale values: relative to that scale.
                let c = try NumPyOracle.shared.compare("avg_pool2d", [x], attrs: attrs, actual: actual, floor: 1)
                #expect(c.passes, "\(c)")
            }
        }
    }

    @Test("globalAvgPool2d is the mean over the spatial axes", arguments: TestSupport.backendNames)
    func globalAvgPool(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([2, 3, 5, 4], seed: 3)
            let c = try NumPyOracle.shared.compare("mean", [x], attrs: ["axes": [2, 3]], actual: x.globalAvgPool2d())
            #expect(c.passes, "\(c)")
        }
    }
}
