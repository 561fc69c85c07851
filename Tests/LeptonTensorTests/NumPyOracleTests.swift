import Foundation
import Testing
import LeptonTensor
import LeptonTestSupport

/// The NumPy oracle itself: it starts, its definitions pass their self-test, it reports bad
/// requests as errors, and concurrent callers get their own answers.
@Suite("The NumPy oracle")
struct NumPyOracleTests {
    @Test("starts and reports NumPy's version")
    func starts() throws {
        try NumPyOracle.shared.ensureStarted()
        #expect(NumPyOracle.shared.numpyVersion != nil)
    }

    @Test("convolution and pooling definitions pass the oracle's self-test")
    func selfTest() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [NumPyOracle.pythonExecutable, NumPyOracle.shared.scriptPath, "--selftest"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("self-test passed"), "\(text)")
    }

    @Test("an unknown op or a bad request throws, and the oracle keeps answering")
    func errors() throws {
        #expect(throws: NumPyOracleError.self) { try NumPyOracle.shared.run("no_such_op", []) }
        #expect(throws: NumPyOracleError.self) {
            try NumPyOracle.shared.run("add", [Tensor.zeros([2, 3]), Tensor.zeros([4])])
        }
        let x = Tensor([1, 2, 3])
        let y = try NumPyOracle.shared.run("neg", [x])
        #expect(y.first?.scalars == [-1, -2, -3])
    }

    @Test("round-trips float32 and int32 tensors bit for bit")
    func roundTrip() throws {
        let values: [Float] = [0, -0, 1, -1.5, .greatestFiniteMagnitude, .leastNonzeroMagnitude, .infinity, -.infinity]
        let x = Tensor(values, shape: [2, 4])
        let y = try NumPyOracle.shared.run("reshape", [x], attrs: ["shape": [2, 4]])[0]
        #expect(y.shape == [2, 4] && y.dtype == .float32)
        #expect(y.scalars.map(\.bitPattern) == values.map(\.bitPattern))
        let i = Tensor(int32: [.min, -1, 0, 1, .max], shape: [5])
        let j = try NumPyOracle.shared.run("reshape", [i], attrs: ["shape": [5]])[0]
        #expect(j.dtype == .int32 && j.int32Scalars == i.int32Scalars)
        let s = try NumPyOracle.shared.run("reshape", [Tensor(2.5)], attrs: ["shape": []])[0]
        #expect(s.shape == [] && s.scalars == [2.5])
    }

    @Test("concurrent callers get their own answers")
    func concurrent() async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for k in 0..<16 {
                group.addTask {
                    let x = TestSupport.randn([50 + k], seed: UInt64(k))
                    let y = try NumPyOracle.shared.run("neg", [x])[0]
                    return y.scalars == x.scalars.map { -$0 }
                }
            }
            for try await ok in group { #expect(ok) }
        }
    }
}
