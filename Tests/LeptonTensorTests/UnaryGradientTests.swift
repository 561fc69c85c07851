import Testing
import LeptonTensor
import LeptonTestSupport

/// Gradient checks of the element-wise functions and activations in `Ops/Tensor+Unary.swift`.
/// Inputs stay away from the points where a function has a kink (relu, abs, clamp, …) or is
/// undefined (log and sqrt need positive inputs).
@Suite struct UnaryGradientTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var low: Float = -3
        var high: Float = 3
        var kinks: [Float] = []
        var function: @Sendable (Tensor) -> Tensor
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "abs", kinks: [0]) { $0.abs() },
        Case(name: "exp", low: -2, high: 2) { $0.exp() },
        Case(name: "log", low: 0.3, high: 3) { $0.log() },
        Case(name: "sqrt", low: 0.3, high: 3) { $0.sqrt() },
        Case(name: "square") { $0.square() },
        Case(name: "sign", kinks: [0]) { $0.sign() },
        Case(name: "clamp", kinks: [-1, 0.5]) { $0.clamp(min: -1, max: 0.5) },
        Case(name: "clamp(min:)", kinks: [0.2]) { $0.clamp(min: 0.2) },
        Case(name: "clamp(max:)", kinks: [-0.2]) { $0.clamp(max: -0.2) },
        Case(name: "relu", kinks: [0]) { $0.relu() },
        Case(name: "leakyRelu", kinks: [0]) { $0.leakyRelu(0.1) },
        Case(name: "elu", kinks: [0]) { $0.elu(0.7) },
        Case(name: "gelu") { $0.gelu() },
        Case(name: "gelu(approximate)") { $0.gelu(approximate: true) },
        Case(name: "sigmoid", low: -5, high: 5) { $0.sigmoid() },
        Case(name: "silu", low: -5, high: 5) { $0.silu() },
        Case(name: "tanh") { $0.tanh() },
        Case(name: "softplus", low: -5, high: 5) { $0.softplus() },
        Case(name: "softplus, linear region", low: 21, high: 30) { $0.softplus() },
    ]

    @Test(arguments: TestSupport.backendNames, cases)
    func elementwise(backend: String, op: Case) {
        Device.with(TestSupport.backend(named: backend)) {
            var rng = RandomGenerator(seed: 11)
            for trial in 0..<2 {
                let shape = GradientChecker.randomShape(rank: trial + 1, sizes: 2...5, using: &rng)
                let x = GradientChecker.input(shape, seed: UInt64(trial), low: op.low, high: op.high,
                                              awayFrom: op.kinks, margin: 0.1)
                let result = GradientChecker.check([x]) { op.function($0[0]) }
                #expect(result.passed, "\(op.name) \(shape): \(result)")
            }
        }
    }

    /// A scalar (rank-0) input goes through every op too.
    @Test(arguments: TestSupport.backendNames)
    func scalarInputs(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            for op in Self.cases {
                let x = GradientChecker.input([], seed: 3, low: op.low, high: op.high, awayFrom: op.kinks, margin: 0.1)
                let result = GradientChecker.check([x]) { op.function($0[0]) }
                #expect(result.passed, "\(op.name) of a scalar: \(result)")
            }
        }
    }

    /// Compositions reuse intermediate results (the rules capture the forward outputs).
    @Test(arguments: TestSupport.backendNames)
    func compositions(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = GradientChecker.input([3, 4], seed: 21, low: -2, high: 2)
            let functions: [(String, (Tensor) -> Tensor)] = [
                ("tanh(sigmoid(x)) · exp(x)", { $0.sigmoid().tanh() * $0.exp() }),
                ("log(1 + x²)", { (1 + $0.square()).log() }),
                ("sqrt(x² + 1) / (1 + exp(x))", { ($0.square() + 1).sqrt() / (1 + $0.exp()) }),
                ("gelu(x) · softplus(x)", { $0.gelu() * $0.softplus() }),
            ]
            for (name, f) in functions {
                let result = GradientChecker.check([x]) { f($0[0]) }
                #expect(result.passed, "\(name): \(result)")
            }
        }
    }
}
