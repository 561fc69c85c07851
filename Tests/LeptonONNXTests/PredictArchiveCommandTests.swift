import Foundation
import LeptonData
import LeptonONNX
import LeptonTensor
import LeptonTestSupport
import Testing

/// `lepton predict MODEL INPUTS.npz` (Sources/lepton/PredictCommand+Archive.swift): a model with
/// a fixed-shape input and a scalar INT64 input is fed by name from an `.npz`; every output is
/// printed and written with `--output-npz` (the INT64 one as int64); a missing or unknown array
/// is one clear error line.
@Suite struct PredictArchiveCommandTests {
    /// `y = x · float(sr)` over a fixed `[1, 3]` x and a scalar INT64 sr; `n = sr + 1` (INT64).
    static func stateModel() -> Onnx_ModelProto {
        let b = ModelBuilder.self
        return b.model(nodes: [b.node("Cast", ["sr"], ["rate"], name: "cast", [b.int("to", 1)]),
                               b.node("Mul", ["x", "rate"], ["y"], name: "mul"), b.node("Add", ["sr", "one"], ["n"], name: "add")],
                       inputs: [b.value("x", .float, [1, 3]), b.value("sr", .int64, [])],
                       outputs: [b.value("y", .float, [1, 3]), b.value("n", .int64, [])],
                       initializers: [Onnx_TensorProto(Tensor(int32: [1], shape: []), name: "one", as: .int64)])
    }

    @Test func namedInputsInEveryOutputOut() throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-predict-npz")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = dir.appendingPathComponent("state.onnx"), inputs = dir.appendingPathComponent("in.npz")
        try ONNXModelFile.write(Self.stateModel(), to: model)
        try NPZWriter.archive([("sr", NPYArray(Tensor(int32: [16000], shape: []), as: .int64)),
                               ("x", NPYArray(Tensor([1, -2, 0.5], shape: [1, 3])))]).write(to: inputs)
        let out = dir.appendingPathComponent("out.npz")
        let run = try LeptonExecutable.run(["predict", model.path, inputs.path, "--output-npz", out.path, "--repeat", "2"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains(#"{"output": "y", "type": "FLOAT", "shape": [1, 3], "values": [16000, -32000, 8000]}"#), "\(run.stdout)")
        #expect(run.stdout.contains(#"{"output": "n", "type": "INT64", "shape": [], "values": [16001]}"#), "\(run.stdout)")
        #expect(run.stdout.contains(#"{"milliseconds": "#))
        let written = try NPYReader.readArchive(out)
        #expect(written["y"]?.scalars == [16000, -32000, 8000] && written["n"]?.int32Scalars == [16001] && written["n"]?.shape == [])
        let header = try Data(contentsOf: out)
        #expect(String(decoding: header, as: UTF8.self).contains("'descr': '<i8'"), "INT64 outputs are written as int64")

        try NPZWriter.archive([("x", NPYArray(Tensor([1, 2, 3], shape: [1, 3]))), ("rate", NPYArray(Tensor(int32: [1], shape: [])))])
            .write(to: inputs)
        let wrong = try LeptonExecutable.run(["predict", model.path, inputs.path])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("no array for input(s) sr; array(s) rate match no input"), "\(wrong.stderr)")
        let npy = try LeptonExecutable.run(["predict", model.path, dir.appendingPathComponent("x.npy").path])
        #expect(npy.status == 1 && npy.stderr.contains("give them by name in an .npz"), "\(npy.stderr)")
    }
}
