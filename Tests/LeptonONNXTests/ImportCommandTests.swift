import Foundation
import LeptonIO
import LeptonNN
import LeptonONNX
import LeptonTensor
import LeptonTestSupport
import LeptonTrain
import Testing

/// `lepton import`, `lepton inspect` and `lepton predict` on ONNX models, run as the built
/// executable: bad files give one error line and exit status 1.
@Suite struct ImportCommandTests {
    @Test func importInspectAndPredict() throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-import-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("dense.onnx")
        try ONNXModelFile.write(ModelBuilder.dense(), to: good)
        let folder = dir.appendingPathComponent("dense-model")
        let imported = try LeptonExecutable.run(["import", good.path, "--out", folder.path])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("Imported \(good.path): 3 nodes, opset 17, 8 parameters in 2 initializers"))
        #expect(imported.stdout.contains("Probe run on zeros (variable dimensions 1): output shapes [1, 2]"))
        let inspected = try LeptonExecutable.run(["inspect", folder.path])
        #expect(inspected.status == 0 && inspected.stdout.contains("Lepton import: supported"), "\(inspected.stdout)\(inspected.stderr)")
        let file = try LeptonExecutable.run(["inspect", good.path])
        #expect(file.stdout.contains("Nodes (3):") && file.stdout.contains("bytes"), "\(file.stdout)")
        // predict on an .npy array through the imported folder.
        var npy = Data([0x93] + Array("NUMPY".utf8))
        npy.append(contentsOf: [1, 0])
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        npy.append(contentsOf: [UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)])
        npy.append(Data(header.utf8))
        for v: Float in [1, 2, 3, -1, 0, 1] { withUnsafeBytes(of: v.bitPattern.littleEndian) { npy.append(contentsOf: $0) } }
        let input = dir.appendingPathComponent("x.npy")
        try npy.write(to: input)
        let predicted = try LeptonExecutable.run(["predict", folder.path, input.path])
        #expect(predicted.status == 0, "\(predicted.stderr)")
        #expect(predicted.stdout.contains("{\"index\": 0, \"class\": 1, \"probability\": 5.8, \"outputs\": [0.6, 5.8]}"), "\(predicted.stdout)")
        // A Lepton model folder and its safetensors file.
        let sequential = Sequential([Dense(units: 2, inputDimensions: 3)])
        sequential.build(inputShape: [3])
        let leptonFolder = dir.appendingPathComponent("lepton-model")
        try ModelFile.save(sequential, to: leptonFolder, inputShape: [3])
        let folder2 = try LeptonExecutable.run(["inspect", leptonFolder.path])
        #expect(folder2.status == 0 && folder2.stdout.contains("Input  input: FLOAT [-1, 3]") && folder2.stdout.contains("Total params: 8"),
                "\(folder2.stdout)\(folder2.stderr)")
        // A text model takes sentences (its TextVectorization makes the ids).
        let text = Sequential([try TextVectorization(maxTokens: 12, outputSequenceLength: 5, vocabulary: ["a", "great", "film", "dull"]),
                               Embedding(vocabularySize: 12, dimensions: 2), Flatten(), Dense(units: 1)])
        text.build(inputShape: [5], dtype: .int32)
        let textFolder = dir.appendingPathComponent("text-model")
        try ModelFile.save(text, to: textFolder, inputShape: [5], inputDType: .int32)
        let textInspected = try LeptonExecutable.run(["inspect", textFolder.path])
        #expect(textInspected.status == 0 && textInspected.stdout.contains("Input  input: STRING [-1] (one text per row; TextVectorization makes 5 ids"),
                "\(textInspected.stdout)\(textInspected.stderr)")
        let weights = try LeptonExecutable.run(["inspect", leptonFolder.appendingPathComponent("model.safetensors").path])
        #expect(weights.status == 0 && weights.stdout.contains("2 tensors, 8 parameters") && weights.stdout.contains("layers.0.kernel  float32  [3, 2]"),
                "\(weights.stdout)\(weights.stderr)")
    }

    /// `lepton import m.onnx --out ''` wiped the current folder (issue 19); now only a new path,
    /// an empty folder or (with --overwrite) a Lepton model folder is written.
    @Test func importNeverReplacesWhatItDidNotWrite() throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-import-out")
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("dense.onnx")
        try ONNXModelFile.write(ModelBuilder.dense(), to: good)
        for (arguments, expected) in [(["import", "dense.onnx", "--out", ""], "--out: expected a path, got an empty one"),
                                      (["import", "dense.onnx", "--out", "."], "is a folder of other files (1 entries: dense.onnx)")] {
            let (status, _, stderr) = try LeptonExecutable.run(arguments, in: dir)
            #expect(status == 1 && stderr.contains(expected), "\(arguments): \(stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["dense.onnx"])
        }
        let folder = dir.appendingPathComponent("model")
        #expect(try LeptonExecutable.run(["import", good.path, "--out", folder.path]).status == 0)
        let again = try LeptonExecutable.run(["import", good.path, "--out", folder.path])
        #expect(again.status == 1 && again.stderr.contains("pass --overwrite"), "\(again.stderr)")
        #expect(try LeptonExecutable.run(["import", good.path, "--out", folder.path, "--overwrite"]).status == 0)
        // Exporting over an existing file needs --overwrite too; a device is never written.
        let onnx = dir.appendingPathComponent("again.onnx")
        try Data("keep".utf8).write(to: onnx)
        #expect(try LeptonExecutable.run(["import", good.path, "--out", onnx.path]).stderr.contains("is a file"))
        #expect(try String(contentsOf: onnx, encoding: .utf8) == "keep")
    }

    @Test func badFilesGiveOneLineAndExitStatusOne() throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-import-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let truncated = dir.appendingPathComponent("truncated.onnx")
        try ModelBuilder.dense().serializedData().prefix(40).write(to: truncated)
        var unsupportedModel = ModelBuilder.dense()
        unsupportedModel.graph.node[2].opType = "Mystery"
        let unsupported = dir.appendingPathComponent("unsupported.onnx")
        try ONNXModelFile.write(unsupportedModel, to: unsupported)
        let cases: [([String], String)] = [
            (["import", dir.appendingPathComponent("missing.onnx").path, "--out", dir.appendingPathComponent("m").path], "file not found"),
            (["import", truncated.path, "--out", dir.appendingPathComponent("t").path], "truncated.onnx: not a valid ONNX model"),
            (["import", unsupported.path, "--out", dir.appendingPathComponent("u").path], "unsupported operator: Mystery (node #2 'relu')"),
            (["inspect", truncated.path], "not a valid ONNX model"),
            (["inspect", dir.appendingPathComponent("nothing").path], "not found"),
        ]
        for (arguments, expected) in cases {
            let (status, _, stderr) = try LeptonExecutable.run(arguments)
            #expect(status == 1, "\(arguments): exit status \(status)")
            #expect(stderr.hasPrefix("error: ") && stderr.contains(expected), "\(arguments): \(stderr)")
            #expect(stderr.split(separator: "\n").count == 1, "\(arguments): \(stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("u").path), "a refused import writes no folder")
    }
}
