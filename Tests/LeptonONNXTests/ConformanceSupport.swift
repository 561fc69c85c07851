import Foundation
import LeptonONNX
import LeptonTensor
import LeptonTestSupport

/// One case of ONNX's operator conformance suite (`onnx/backend/test/data/node/<case>`):
/// a one-node (or small) model, its inputs and the expected outputs as `TensorProto` files.
struct ConformanceCase {
    let name: String
    let directory: URL

    /// What happened to a case.
    enum Outcome {
        /// The importer refused the model (not claimed), with its message.
        case unclaimed(String)
        case passed
        /// Claimed but wrong or failing at run time, with what differed.
        case failed(String)
    }

    /// The op types of the case's model (for the per-op summary).
    var opTypes: [String] {
        guard let model = try? ONNXModelFile.read(directory.appendingPathComponent("model.onnx")) else { return [] }
        return Array(Set(model.graph.node.map(\.opType))).sorted()
    }

    /// Imports, runs and compares like onnx's backend test runner: rtol 1e-3, atol 1e-7, NaN
    /// equal to NaN, integer and boolean outputs exact, shapes and element types equal.
    func run() -> Outcome {
        let model: ONNXGraphModel
        do {
            model = try ONNXImporter.load(directory.appendingPathComponent("model.onnx"))
        } catch {
            return .unclaimed("\(error)")
        }
        let data = directory.appendingPathComponent("test_data_set_0")
        do {
            let inputs = try (0..<model.inputSpecs.count).map { try Self.tensor(data.appendingPathComponent("input_\($0).pb")) }
            let expected = try (0..<model.outputSpecs.count).map { try Self.tensor(data.appendingPathComponent("output_\($0).pb")) }
            let outputs = try model.run(inputs.map(\.tensor))
            for (k, (got, want)) in zip(outputs, expected).enumerated() {
                if let problem = Self.compare(got, want, atol: Self.absoluteTolerance[name] ?? 1e-7) { return .failed("output \(k): \(problem)") }
            }
            return .passed
        } catch {
            return .failed("\(error)")
        }
    }

    static func tensor(_ url: URL) throws -> ONNXValue {
        let proto = try Onnx_TensorProto(serializedBytes: try Data(contentsOf: url))
        return try proto.value(context: url.lastPathComponent)
    }

    /// Per-case tolerances, as onnx's loader reads them from a case's `data.json` (these cases
    /// have none): the expected outputs of the inverse complex DFT cases come from NumPy 2's
    /// single-precision FFT, so entries that are exactly zero carry ~2e-7 of float32 rounding
    /// noise; Lepton transforms in double precision and returns ~1e-15 there.
    static let absoluteTolerance: [String: Double] = ["test_dft_inverse": 1e-6, "test_dft_inverse_opset19": 1e-6]

    static func compare(_ got: ONNXValue, _ want: ONNXValue, atol: Double = 1e-7) -> String? {
        guard got.shape == want.shape else { return "shape \(got.shape), expected \(want.shape)" }
        guard got.elementType == want.elementType else { return "element type \(got.elementType), expected \(want.elementType)" }
        if want.tensor.dtype == .int32 {
            let (a, b) = (got.tensor.int32Scalars, want.tensor.int32Scalars)
            if let i = a.indices.first(where: { a[$0] != b[$0] }) { return "element \(i) is \(a[i]), expected \(b[i])" }
            return nil
        }
        let (a, b) = (got.tensor.scalars, want.tensor.scalars)
        for i in a.indices {
            let (x, y) = (a[i], b[i])
            if x.isNaN || y.isNaN {
                if x.isNaN != y.isNaN { return "element \(i) is \(x), expected \(y)" }
                continue
            }
            if x == y { continue }
            if abs(Double(x) - Double(y)) > atol + 1e-3 * abs(Double(y)) { return "element \(i) is \(x), expected \(y)" }
        }
        return nil
    }

    /// The suite's cases, from `LEPTON_ONNX_NODE_TESTS` or the installed `onnx` package.
    static func all() throws -> [ConformanceCase] {
        let root: String
        if let given = ProcessInfo.processInfo.environment["LEPTON_ONNX_NODE_TESTS"], !given.isEmpty {
            root = given
        } else {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [NumPyOracle.pythonExecutable, "-c",
                                 "import onnx, os; print(os.path.join(os.path.dirname(onnx.__file__), 'backend', 'test', 'data', 'node'))"]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            root = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let base = URL(fileURLWithPath: root)
        let names = try FileManager.default.contentsOfDirectory(atPath: root).filter { $0.hasPrefix("test_") }.sorted()
        return names.map { ConformanceCase(name: $0, directory: base.appendingPathComponent($0)) }
    }
}
