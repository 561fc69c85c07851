import Testing
import LeptonTensor
import LeptonTestSupport

/// Forward correctness of `Tensor+Arithmetic.swift` against NumPy, on every backend.
@Suite("Arithmetic ops agree with NumPy")
struct ArithmeticOracleTests {
    /// Pairs of shapes covering rank 0…4, size-1 dimensions and broadcasting either way.
    static let shapePairs: [([Int], [Int])] = [
        ([], []), ([5], []), ([], [3, 1]), ([3, 4], [3, 4]), ([2, 3, 4], [4]), ([2, 1, 4], [3, 1]),
        ([1], [2, 3]), ([2, 3, 1, 5], [1, 3, 4, 1]), ([7, 1], [1, 6]), ([4, 1, 3], [4, 2, 3]),
        // Large enough for the CPU backend to split the work over threads.
        ([300, 257], [257]), ([70_000], []), ([70_000], [70_000]),
    ]

    struct BinaryCase: Sendable, CustomTestStringConvertible {
        let name: String
        let apply: @Sendable (Tensor, Tensor) -> Tensor
        /// Second operand drawn from [0.5, 2) (division, pow), else normal.
        var positiveRight = false
        /// First operand drawn from [0.5, 2) (pow).
        var positiveLeft = false
        var testDescription: String { name }
    }

    static let binaryCases: [BinaryCase] = [
        BinaryCase(name: "add", apply: { $0 + $1 }),
        BinaryCase(name: "sub", apply: { $0 - $1 }),
        BinaryCase(name: "mul", apply: { $0 * $1 }),
        BinaryCase(name: "div", apply: { $0 / $1 }, positiveRight: true),
        BinaryCase(name: "pow", apply: { $0.pow($1) }, positiveLeft: true),
        BinaryCase(name: "maximum", apply: { $0.maximum($1) }),
        BinaryCase(name: "minimum", apply: { $0.minimum($1) }),
    ]

    @Test("binary op with broadcasting", arguments: TestSupport.backendNames, binaryCases)
    func binary(backend: String, op: BinaryCase) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            for (i, (sa, sb)) in Self.shapePairs.enumerated() {
                let seed = UInt64(i * 2 + 1)
                let a = op.positiveLeft ? TestSupport.uniform(sa, seed: seed, low: 0.5, high: 2) : TestSupport.randn(sa, seed: seed)
                let b = op.positiveRight ? TestSupport.uniform(sb, seed: seed + 1, low: 0.5, high: 2)
                                         : TestSupport.randn(sb, seed: seed + 1)
                // Every element is checked relative to itself (floor far below the values' scale).
                let c = try NumPyOracle.shared.compare(op.name, [a, b], actual: op.apply(a, b), floor: 1e-6)
                #expect(c.passes, "\(c)")
                // Operands swapped: broadcasting is symmetric.
                if !op.positiveLeft && !op.positiveRight {
                    let d = try NumPyOracle.shared.compare(op.name, [b, a], actual: op.apply(b, a), floor: 1e-6)
                    #expect(d.passes, "\(d)")
                }
            }
        }
    }

    struct ScalarCase: Sendable, CustomTestStringConvertible {
        let name: String
        let oracle: String
        let attrs: OracleAttributes
        let apply: @Sendable (Tensor) -> Tensor
        var testDescription: String { name }
    }

    /// Tensor–scalar operators, which run as one fused affine or power kernel.
    static let scalarCases: [ScalarCase] = [
        ScalarCase(name: "x + 1.5", oracle: "affine", attrs: ["scale": 1, "shift": 1.5], apply: { $0 + 1.5 }),
        ScalarCase(name: "1.5 + x", oracle: "affine", attrs: ["scale": 1, "shift": 1.5], apply: { 1.5 + $0 }),
        ScalarCase(name: "x - 0.25", oracle: "affine", attrs: ["scale": 1, "shift": -0.25], apply: { $0 - 0.25 }),
        ScalarCase(name: "2 - x", oracle: "affine", attrs: ["scale": -1, "shift": 2], apply: { 2 - $0 }),
        ScalarCase(name: "x * 3", oracle: "affine", attrs: ["scale": 3, "shift": 0], apply: { $0 * 3 }),
        ScalarCase(name: "-0.5 * x", oracle: "affine", attrs: ["scale": -0.5, "shift": 0], apply: { -0.5 * $0 }),
        ScalarCase(name: "-x", oracle: "neg", attrs: [:], apply: { -$0 }),
    ]

    @Test("tensor-scalar operator", arguments: TestSupport.backendNames, scalarCases)
    func scalarOperator(backend: String, op: ScalarCase) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            for (i, shape) in [[], [1], [6], [3, 4], [2, 3, 4], [2, 1, 3, 2], [70_000]].enumerated() {
                let x = TestSupport.randn(shape, seed: UInt64(100 + i), scale: 2)
                // Adding a shift rounds twice (x·s, then + t): relative to the unit scale.
                let c = try NumPyOracle.shared.compare(op.oracle, [x], attrs: op.attrs, actual: op.apply(x), floor: 1e-3)
                #expect(c.passes, "\(c)")
            }
        }
    }

    @Test("division by a scalar and of a scalar", arguments: TestSupport.backendNames)
    func scalarDivision(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.uniform([3, 5], seed: 7, low: 0.5, high: 3)
            let three = Tensor(3)
            let c = try NumPyOracle.shared.compare("div", [x, three], actual: x / 3, floor: 1e-6)
            #expect(c.passes, "\(c)")
            let d = try NumPyOracle.shared.compare("div", [three, x], actual: 3 / x, floor: 1e-6)
            #expect(d.passes, "\(d)")
        }
    }

    @Test("pow with a negative base and integer exponents", arguments: TestSupport.backendNames)
    func powNegativeBase(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([4, 5], seed: 11, scale: 2)
            let e = Tensor([2, 3, -1, 0, 1], shape: [5])
            let c = try NumPyOracle.shared.compare("pow", [x, e], actual: x.pow(e), floor: 1e-6)
            #expect(c.passes, "\(c)")
        }
    }

    // MARK: Errors a caller can cause

    @Test("add of shapes that do not broadcast stops, naming the op and both shapes")
    func addShapeMismatchExits() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let a = Tensor.zeros([2, 3]), b = Tensor.zeros([4, 5])
            _ = a + b
        }
        if let result {
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("add"), "\(message)")
            #expect(message.contains("[2, 3]") && message.contains("[4, 5]"), "\(message)")
        }
    }

    @Test("mul of int32 tensors stops, naming the op and the dtypes")
    func mulDTypeMismatchExits() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let a = Tensor(indices: [1, 2, 3]), b = Tensor([1, 2, 3])
            _ = a * b
        }
        if let result {
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("mul") && message.contains("int32"), "\(message)")
        }
    }
}
