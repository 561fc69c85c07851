import Testing
import LeptonTensor
import LeptonTestSupport

/// Forward correctness of `Tensor+Unary.swift` (element-wise functions and activations)
/// against NumPy, on every backend.
@Suite("Unary ops and activations agree with NumPy")
struct UnaryOracleTests {
    enum Domain: Sendable { case all, positive }

    struct UnaryCase: Sendable, CustomTestStringConvertible {
        let name: String
        let oracle: String
        var attrs: OracleAttributes = [:]
        var domain: Domain = .all
        /// Magnitude below which errors are absolute: small for functions computed to full
        /// relative precision, larger where the float32 formula cancels near a zero of the result.
        var floor: Float = 1e-6
        let apply: @Sendable (Tensor) -> Tensor
        var testDescription: String { name }
    }

    static let cases: [UnaryCase] = [
        UnaryCase(name: "neg", oracle: "neg", apply: { -$0 }),
        UnaryCase(name: "abs", oracle: "abs", apply: { $0.abs() }),
        UnaryCase(name: "exp", oracle: "exp", apply: { $0.exp() }),
        UnaryCase(name: "log", oracle: "log", domain: .positive, floor: 1e-3, apply: { $0.log() }),
        UnaryCase(name: "sqrt", oracle: "sqrt", domain: .positive, apply: { $0.sqrt() }),
        UnaryCase(name: "square", oracle: "square", apply: { $0.square() }),
        UnaryCase(name: "sign", oracle: "sign", apply: { $0.sign() }),
        UnaryCase(name: "clamp(-0.5, 0.7)", oracle: "clamp", attrs: ["min": -0.5, "max": 0.7],
                  apply: { $0.clamp(min: -0.5, max: 0.7) }),
        UnaryCase(name: "clamp(min: 0.1)", oracle: "clamp", attrs: ["min": 0.1], apply: { $0.clamp(min: 0.1) }),
        UnaryCase(name: "clamp(max: -0.2)", oracle: "clamp", attrs: ["max": -0.2], apply: { $0.clamp(max: -0.2) }),
        UnaryCase(name: "pow(2.5)", oracle: "pow_scalar", attrs: ["exponent": 2.5], domain: .positive,
                  apply: { $0.pow(2.5) }),
        UnaryCase(name: "pow(-0.5)", oracle: "pow_scalar", attrs: ["exponent": -0.5], domain: .positive,
                  apply: { $0.pow(-0.5) }),
        UnaryCase(name: "pow(3)", oracle: "pow_scalar", attrs: ["exponent": 3], apply: { $0.pow(3) }),
        UnaryCase(name: "relu", oracle: "relu", apply: { $0.relu() }),
        UnaryCase(name: "leakyRelu(0.2)", oracle: "leaky_relu", attrs: ["slope": 0.2], apply: { $0.leakyRelu(0.2) }),
        UnaryCase(name: "leakyRelu()", oracle: "leaky_relu", attrs: ["slope": 0.01], apply: { $0.leakyRelu() }),
        UnaryCase(name: "elu(1.5)", oracle: "elu", attrs: ["alpha": 1.5], apply: { $0.elu(1.5) }),
        UnaryCase(name: "gelu", oracle: "gelu", apply: { $0.gelu() }),
        UnaryCase(name: "gelu(approximate)", oracle: "gelu_tanh", apply: { $0.gelu(approximate: true) }),
        UnaryCase(name: "sigmoid", oracle: "sigmoid", apply: { $0.sigmoid() }),
        UnaryCase(name: "silu", oracle: "silu", apply: { $0.silu() }),
        UnaryCase(name: "tanh", oracle: "tanh", apply: { $0.tanh() }),
        UnaryCase(name: "softplus", oracle: "softplus", apply: { $0.softplus() }),
    ]

    /// Shapes of rank 0…4, with size-1 dimensions, and one large enough to be split over threads.
    static let shapes: [[Int]] = [[], [1], [7], [3, 5], [2, 3, 4], [2, 1, 3, 5], [70_000]]

    /// Values at the edges of the functions' branches: zero, ±tiny, softplus's threshold of 20.
    static let edgeValues: [Float] = [0, -0, 1e-6, -1e-6, 0.5, -0.5, 1, -1, 3, -3, 8, -8, 15, -15,
                                      19.9, 20, 20.1, -20, 30, -30, 80, -80]

    func input(_ shape: [Int], seed: UInt64, domain: Domain) -> Tensor {
        switch domain {
        case .all: return TestSupport.randn(shape, seed: seed, scale: 3)
        case .positive: return TestSupport.uniform(shape, seed: seed, low: 0.01, high: 5)
        }
    }

    @Test("element-wise function on random inputs", arguments: TestSupport.backendNames, cases)
    func randomInputs(backend: String, op: UnaryCase) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            for (i, shape) in Self.shapes.enumerated() {
                let x = input(shape, seed: UInt64(10 + i), domain: op.domain)
                let c = try NumPyOracle.shared.compare(op.oracle, [x], attrs: op.attrs, actual: op.apply(x), floor: op.floor)
                #expect(c.passes, "\(c)")
            }
        }
    }

    @Test("element-wise function at branch edges", arguments: TestSupport.backendNames, cases)
    func edgeInputs(backend: String, op: UnaryCase) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            var values = Self.edgeValues
            if op.domain == .positive { values = values.map { Swift.abs($0) + 1e-3 } }
            if op.oracle == "exp" || op.oracle == "pow_scalar" { values = values.filter { Swift.abs($0) < 40 } }
            let x = Tensor(values, shape: [values.count])
            let c = try NumPyOracle.shared.compare(op.oracle, [x], attrs: op.attrs, actual: op.apply(x), floor: op.floor)
            #expect(c.passes, "\(c)")
        }
    }
}
