import Testing
import LeptonTensor
import LeptonTestSupport

/// Forward correctness of the creation functions (`Tensor+Creation.swift`) against NumPy's
/// `arange`, `linspace` and `eye`, with the tensors created on every backend.
@Suite("Creation functions agree with NumPy")
struct CreationOracleTests {
    @Test("arange", arguments: TestSupport.backendNames)
    func arange(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let cases: [(Float, Float, Float)] = [(0, 10, 1), (0, 0, 1), (3, 1, 1), (1.5, 7, 0.5), (5, 0, -1.5), (-2, 2, 0.25),
                                                  (0, 1, 0.3), (0, 1000, 7)]
            for (start, end, step) in cases {
                let actual = Tensor.arange(start, end, step: step)
                #expect(actual.backend.name == backend)
                // start + i·step rounds twice in float32: relative to the values' unit scale.
                let c = try NumPyOracle.shared.compare("arange", [], attrs: ["start": .float(start), "end": .float(end),
                                                                             "step": .float(step)],
                                                       actual: actual, floor: 1)
                #expect(c.passes, "\(c)")
            }
        }
    }

    @Test("linspace", arguments: TestSupport.backendNames)
    func linspace(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            let cases: [(Float, Float, Int)] = [(0, 1, 5), (-2, 3, 7), (1, 1, 4), (2, 5, 1), (0, 1, 0), (10, -10, 101)]
            for (start, end, count) in cases {
                let actual = Tensor.linspace(start, end, count: count)
                let c = try NumPyOracle.shared.compare("linspace", [], attrs: ["start": .float(start), "end": .float(end),
                                                                               "count": .int(count)],
                                                       actual: actual, floor: 1e-6)
                #expect(c.passes, "\(c)")
            }
        }
    }

    @Test("eye", arguments: TestSupport.backendNames)
    func eye(backend: String) throws {
        try Device.with(TestSupport.backend(named: backend)) {
            for (rows, columns) in [(1, nil), (3, nil), (2, 4), (4, 2), (0, 3)] as [(Int, Int?)] {
                let c = try NumPyOracle.shared.compare("eye", [], attrs: ["rows": .int(rows), "columns": .int(columns)],
                                                       actual: Tensor.eye(rows, columns), tolerance: 0)
                #expect(c.passes, "\(c)")
            }
        }
    }
}
