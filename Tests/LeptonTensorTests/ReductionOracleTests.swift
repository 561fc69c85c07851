import Testing
import LeptonTensor
import LeptonTestSupport

/// Forward correctness of `Tensor+Reduction.swift` against NumPy, on every backend.
@Suite("Reductions agree with NumPy")
struct ReductionOracleTests {
    struct ReductionCase: Sendable, CustomTestStringConvertible {
        let name: String
        let oracle: String
        var attrs: OracleAttributes = [:]
        /// Sums of terms of unit scale are checked relative to that scale (floor 1); max and min
        /// are exact, so every element is checked relative to itself.
        var floor: Float = 1
        /// Smallest number of reduced elements the op is defined for.
        var minimumCount = 1
        let apply: @Sendable (Tensor, [Int]?, Bool) -> Tensor
        var testDescription: String { name }
    }

    static let cases: [ReductionCase] = [
        ReductionCase(name: "sum", oracle: "sum", apply: { $0.sum(axes: $1, keepDims: $2) }),
        ReductionCase(name: "mean", oracle: "mean", apply: { $0.mean(axes: $1, keepDims: $2) }),
        ReductionCase(name: "variance", oracle: "variance", attrs: ["correction": 0], floor: 1e-3,
                      apply: { $0.variance(axes: $1, keepDims: $2) }),
        ReductionCase(name: "variance(correction: 1)", oracle: "variance", attrs: ["correction": 1], floor: 1e-3,
                      minimumCount: 2, apply: { $0.variance(axes: $1, keepDims: $2, correction: 1) }),
        ReductionCase(name: "max", oracle: "max", floor: 1e-6, apply: { $0.max(axes: $1, keepDims: $2) }),
        ReductionCase(name: "min", oracle: "min", floor: 1e-6, apply: { $0.min(axes: $1, keepDims: $2) }),
        ReductionCase(name: "logSumExp", oracle: "logsumexp", apply: { $0.logSumExp(axes: $1, keepDims: $2) }),
    ]

    /// Shapes with the axes to reduce (nil: all), rank 0…4, negative and repeated-size axes.
    static let shapes: [([Int], [Int]?)] = [
        ([], nil), ([1], nil), ([5], nil), ([5], [0]), ([3, 4], [1]), ([3, 4], [0]), ([3, 4], [-1, 0]),
        ([2, 3, 4], [0, 2]), ([2, 3, 4], [-1]), ([2, 3, 4], [1]), ([2, 1, 3, 5], [1, 3]), ([2, 3, 4, 5], nil),
        ([2, 3, 4, 5], [0, 1, 3]), ([4, 1], [1]), ([2, 3, 4], []),
        // Large enough for the CPU backend's threaded and partial-sum paths.
        ([300, 257], [1]), ([300, 257], [0]), ([70_000], nil),
        // Many wide rows to one row: row blocks with partial rows per thread.
        ([256, 520], [0]),
    ]

    @Test("reduction over axes, with and without keepDims", arguments: TestSupport.backendNames, cases)
    func reduce(backend: String, op: ReductionCase) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            for (i, (shape, axes)) in Self.shapes.enumerated() {
                let resolved = axes.map { $0.map { ($0 + shape.count) % Swift.max(shape.count, 1) } } ?? Array(shape.indices)
                let reducedCount = resolved.reduce(1) { $0 * shape[$1] }
                if reducedCount < op.minimumCount { continue }
                let x = TestSupport.randn(shape, seed: UInt64(20 + i))
                for keep in [false, true] {
                    var attrs = op.attrs
                    attrs["axes"] = axes.map { .ints($0) } ?? nil
                    attrs["keepdims"] = .bool(keep)
                    let c = try NumPyOracle.shared.compare(op.oracle, [x], attrs: attrs, actual: op.apply(x, axes, keep),
                                                           floor: op.floor)
                    #expect(c.passes, "\(c)")
                }
            }
        }
    }

    @Test("sum and max with one-axis overloads", arguments: TestSupport.backendNames)
    func singleAxisOverloads(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([3, 4, 5], seed: 5)
            let s = try NumPyOracle.shared.compare("sum", [x], attrs: ["axes": [1]], actual: x.sum(axis: 1))
            #expect(s.passes, "\(s)")
            let m = try NumPyOracle.shared.compare("mean", [x], attrs: ["axes": [-1], "keepdims": true],
                                                   actual: x.mean(axis: -1, keepDims: true))
            #expect(m.passes, "\(m)")
        }
    }

    @Test("sum over an empty axis is zero", arguments: TestSupport.backendNames)
    func emptySum(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            for (shape, axes) in [([0, 3], [0]), ([3, 0], [1]), ([2, 0, 4], nil)] as [([Int], [Int]?)] {
                let x = Tensor.zeros(shape)
                let c = try NumPyOracle.shared.compare("sum", [x], attrs: ["axes": axes.map { .ints($0) } ?? nil],
                                                       actual: x.sum(axes: axes), tolerance: 0)
                #expect(c.passes, "\(c)")
            }
        }
    }

    @Test("logSumExp of large and -inf values stays finite", arguments: TestSupport.backendNames)
    func logSumExpRange(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let x = Tensor([1000, 999, -1000, 0, 5, -.infinity, 88, 87.5], shape: [2, 4])
            let c = try NumPyOracle.shared.compare("logsumexp", [x], attrs: ["axes": [1]], actual: x.logSumExp(axes: [1]),
                                                   floor: 1e-6)
            #expect(c.passes, "\(c)")
        }
    }

    @Test("argmax and argmin along an axis", arguments: TestSupport.backendNames, ["argmax", "argmin"])
    func argReduce(backend: String, op: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let cases: [([Int], Int)] = [([1], 0), ([7], 0), ([3, 4], 1), ([3, 4], 0), ([2, 3, 4], -1), ([2, 3, 4], 1),
                                         ([2, 1, 3, 5], 2), ([2, 1, 3, 5], 1), ([300, 257], 1), ([300, 257], 0)]
            for (i, (shape, axis)) in cases.enumerated() {
                let x = TestSupport.randn(shape, seed: UInt64(40 + i))
                for keep in [false, true] {
                    let actual = op == "argmax" ? x.argmax(axis: axis, keepDims: keep) : x.argmin(axis: axis, keepDims: keep)
                    let c = try NumPyOracle.shared.compare(op, [x], attrs: ["axis": .int(axis), "keepdims": .bool(keep)],
                                                           actual: actual, tolerance: 0)
                    #expect(c.passes, "\(c)")
                }
            }
            // Ties: the first index wins, as in NumPy.
            let ties = Tensor([1, 3, 3, 0, 2, 2, 2, 2, -1, 5, -1, 5], shape: [3, 4])
            let actual = op == "argmax" ? ties.argmax(axis: 1) : ties.argmin(axis: 1)
            let c = try NumPyOracle.shared.compare(op, [ties], attrs: ["axis": 1], actual: actual, tolerance: 0)
            #expect(c.passes, "\(c)")
        }
    }
}
