import Testing
import LeptonTensor
import LeptonTestSupport

/// Gradient checks of the ops in `Ops/Tensor+Arithmetic.swift` (broadcasting binary ops,
/// scalar operands, powers, `sum(toShape:)`).
@Suite struct ArithmeticGradientTests {
    /// Pairs of broadcasting shapes, including scalars and size-1 axes on both sides.
    static let broadcastPairs: [([Int], [Int])] = [
        ([3, 1, 4], [2, 1]), ([2, 3], [2, 3]), ([2, 3], []), ([], [4]), ([1, 3], [2, 1]),
        ([4], [3, 1]), ([2, 1, 3], [1, 4, 1]), ([], []),
    ]

    enum BinaryCase: String, CaseIterable, Sendable { case add, sub, mul, div }

    static func apply(_ op: BinaryCase, _ a: Tensor, _ b: Tensor) -> Tensor {
        switch op {
        case .add: return a + b
        case .sub: return a - b
        case .mul: return a * b
        case .div: return a / b
        }
    }

    @Test(arguments: TestSupport.backendNames, BinaryCase.allCases)
    func binaryBroadcasting(backend: String, op: BinaryCase) {
        Device.with(TestSupport.backend(named: backend)) {
            for (i, (sa, sb)) in Self.broadcastPairs.enumerated() {
                let a = GradientChecker.input(sa, seed: UInt64(10 + i), low: -2, high: 2)
                // Divisors stay away from zero.
                let b = GradientChecker.input(sb, seed: UInt64(50 + i), low: -2, high: 2, awayFrom: [0], margin: 0.5)
                let result = GradientChecker.check([a, b]) { Self.apply(op, $0[0], $0[1]) }
                #expect(result.passed, "\(op) \(sa) with \(sb): \(result)")
            }
        }
    }

    @Test(arguments: TestSupport.backendNames, BinaryCase.allCases)
    func binaryRandomShapes(backend: String, op: BinaryCase) {
        Device.with(TestSupport.backend(named: backend)) {
            var rng = RandomGenerator(seed: 7)
            for trial in 0..<4 {
                let shape = GradientChecker.randomShape(rank: Int.random(in: 1...3, using: &rng), using: &rng)
                let other = GradientChecker.broadcastableShape(to: shape, using: &rng)
                // Either side may be the broadcast one.
                let (sa, sb) = trial % 2 == 0 ? (shape, other) : (other, shape)
                let a = GradientChecker.input(sa, seed: UInt64(100 + trial), low: -2, high: 2)
                let b = GradientChecker.input(sb, seed: UInt64(200 + trial), low: -2, high: 2, awayFrom: [0], margin: 0.5)
                let result = GradientChecker.check([a, b], seed: UInt64(trial)) { Self.apply(op, $0[0], $0[1]) }
                #expect(result.passed, "\(op) \(sa) with \(sb): \(result)")
            }
        }
    }

    /// Only one operand requires a gradient: the rules skip the other.
    @Test(arguments: TestSupport.backendNames, BinaryCase.allCases)
    func binaryOneSided(backend: String, op: BinaryCase) {
        Device.with(TestSupport.backend(named: backend)) {
            let a = GradientChecker.input([2, 3], seed: 1, low: -2, high: 2)
            let b = GradientChecker.input([3], seed: 2, low: -2, high: 2, awayFrom: [0], margin: 0.5)
            let left = GradientChecker.check([a, b], checking: [0]) { Self.apply(op, $0[0], $0[1]) }
            #expect(left.passed, "\(op) wrt lhs: \(left)")
            let right = GradientChecker.check([a, b], checking: [1]) { Self.apply(op, $0[0], $0[1]) }
            #expect(right.passed, "\(op) wrt rhs: \(right)")
        }
    }

    /// The same tensor as both operands: the two gradient contributions add up.
    @Test(arguments: TestSupport.backendNames)
    func sameTensorBothOperands(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = GradientChecker.input([2, 3], seed: 3, low: 0.5, high: 2)
            for op in BinaryCase.allCases {
                let result = GradientChecker.check([x]) { Self.apply(op, $0[0], $0[0]) * $0[0] }
                #expect(result.passed, "\(op)(x, x) · x: \(result)")
            }
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func scalarOperands(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = GradientChecker.input([3, 4], seed: 4, low: -2, high: 2, awayFrom: [0], margin: 0.4)
            let cases: [(String, (Tensor) -> Tensor)] = [
                ("x + 1.5", { $0 + 1.5 }), ("1.5 + x", { 1.5 + $0 }),
                ("x - 0.5", { $0 - 0.5 }), ("0.5 - x", { 0.5 - $0 }),
                ("x * -2", { $0 * -2 }), ("3 * x", { 3 * $0 }),
                ("x / 4", { $0 / 4 }), ("2 / x", { 2 / $0 }),
                ("-x", { -$0 }),
            ]
            for (name, f) in cases {
                let result = GradientChecker.check([x]) { f($0[0]) }
                #expect(result.passed, "\(name): \(result)")
            }
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func powScalarExponent(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let positive = GradientChecker.input([2, 3, 2], seed: 5, low: 0.5, high: 2)
            for p: Float in [2, 3, 0.5, -1.5, 0, 1, 2.5] {
                let result = GradientChecker.check([positive]) { $0[0].pow(p) }
                #expect(result.passed, "x^\(p): \(result)")
            }
            // Integer exponents are defined for negative bases.
            let mixed = GradientChecker.input([2, 3], seed: 6, low: -2, high: 2, awayFrom: [0], margin: 0.3)
            for p: Float in [2, 3, -1] {
                let result = GradientChecker.check([mixed]) { $0[0].pow(p) }
                #expect(result.passed, "x^\(p), negative x: \(result)")
            }
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func powTensorExponent(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            for (i, (sa, sb)) in [([2, 3], [2, 3]), ([2, 3], [3]), ([3, 1], [1, 2]), ([], [4]), ([4], [])].enumerated() {
                let base = GradientChecker.input(sa, seed: UInt64(300 + i), low: 0.5, high: 2)
                let exponent = GradientChecker.input(sb, seed: UInt64(400 + i), low: -2, high: 2)
                let result = GradientChecker.check([base, exponent]) { $0[0].pow($0[1]) }
                #expect(result.passed, "pow \(sa) ^ \(sb): \(result)")
            }
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func sumToShape(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([2, 3, 4], seed: 8)
            for target in [[2, 3, 4], [3, 4], [1, 4], [2, 1, 4], [4], [], [1, 1, 1]] {
                let result = GradientChecker.check([x]) { $0[0].sum(toShape: target) }
                #expect(result.passed, "sum(toShape: \(target)): \(result)")
            }
        }
    }
    /// Tensors large enough for the CPU backend to split the work over threads (and for the
    /// single-long-row path of broadcasting); a sample of elements is checked.
    @Test(arguments: TestSupport.backendNames)
    func largeTensors(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let long = GradientChecker.input([70_000], seed: 1, low: -2, high: 2, awayFrom: [0], margin: 0.1)
            let scalar = TestSupport.randn([], seed: 2)
            let rows = TestSupport.randn([3, 25_000], seed: 3)
            let row = GradientChecker.input([25_000], seed: 4, low: 0.5, high: 2)
            let cases: [(String, [Tensor], ([Tensor]) -> Tensor)] = [
                ("[70000] · []", [long, scalar], { $0[0] * $0[1] }),
                ("[3, 25000] / [25000]", [rows, row], { $0[0] / $0[1] }),
                ("tanh([70000]) + [70000]", [long], { $0[0].tanh() + $0[0] }),
                ("where([70000] > 0, x, x²)", [long], { Tensor.where($0[0].greater(0), $0[0], $0[0].square()) }),
            ]
            for (name, inputs, f) in cases {
                let result = GradientChecker.check(inputs, maxElementsPerInput: 6, f)
                #expect(result.passed, "\(name): \(result)")
            }
        }
    }
}
