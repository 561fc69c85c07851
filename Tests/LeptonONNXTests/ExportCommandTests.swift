import Foundation
import LeptonIO
import LeptonNN
import LeptonONNX
import LeptonTensor
import LeptonTestSupport
import LeptonTrain
import Testing

/// `lepton export MODEL --onnx OUT` on a saved model folder (the built executable beside the
/// test bundle): the file runs in onnxruntime like the model, and user errors give one line on
/// standard error and exit status 1.
@Suite struct ExportCommandTests {
    @Test func exportsASavedModelAndReportsUserErrors() throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-export-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = Sequential([Conv2D(filters: 3, kernelSize: [3, 3], padding: .same, activation: .relu), BatchNormalization(),
                                MaxPooling2D(), Flatten(), Dropout(rate: 0.2), Dense(units: 4, activation: .softmax)])
        model.build(inputShape: [6, 6, 2])
        ExportCheck.perturb(model, seed: 3, std: 0.1)
        let folder = dir.appendingPathComponent("cnn")
        try ModelFile.save(model, to: folder, inputShape: [6, 6, 2])
        let onnx = dir.appendingPathComponent("cnn.onnx")

        let (status, stdout, stderr) = try LeptonExecutable.run(["export", folder.path, "--onnx", onnx.path])
        #expect(status == 0, "\(stderr)")
        #expect(stdout.hasPrefix("Exported 6 layers to \(onnx.path): opset 17"), "\(stdout)")
        let x = TestSupport.randn([3, 6, 6, 2], seed: 4)
        let loaded = try ModelFile.load(from: folder)
        loaded.eval()
        let expected = Tensor.withoutGrad { loaded(x) }
        let actual = try ExportCheck.oracle.run("run", [x], attrs: ["model": .string(onnx.path)])[0]
        let difference = zip(actual.scalars, expected.scalars).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
        #expect(actual.shape == [3, 4] && difference <= ExportCheck.tolerance, "\(actual.shape), \(difference)")

        let noShape = dir.appendingPathComponent("no-shape")
        try ModelFile.save(model, to: noShape)
        let cases: [([String], String)] = [
            (["export", dir.appendingPathComponent("missing").path, "--onnx", onnx.path], "not found or not a folder"),
            (["export", dir.path, "--onnx", onnx.path], "model.json not found"),
            (["export", noShape.path, "--onnx", onnx.path], "model.json records no input_shape; pass --input-shape"),
            (["export", folder.path, "--onnx", onnx.path, "--input-shape", "6,x,2"], "--input-shape: expected positive integers"),
            (["export", folder.path, "--onnx", dir.appendingPathComponent("missing/out.onnx").path], "cannot write the file"),
            (["export", folder.path, "--onnx", onnx.path], "a file is already there; pass --overwrite"),
            (["export", folder.path, "--onnx", "/dev/null", "--overwrite"], "/dev/null: is a character device"),
            (["export", folder.path, "--onnx", "", "--overwrite"], "--onnx: expected a path, got an empty one"),
        ]
        for (arguments, message) in cases {
            let (status, _, stderr) = try LeptonExecutable.run(arguments)
            #expect(status == 1, "\(arguments): exit status \(status)")
            #expect(stderr.hasPrefix("error: ") && stderr.contains(message), "\(arguments): \(stderr)")
            #expect(stderr.split(separator: "\n").count == 1, "\(arguments): \(stderr)")
        }
        let (shapeStatus, _, shapeErr) = try LeptonExecutable.run(["export", noShape.path, "--onnx", onnx.path, "--input-shape", "6, 6, 2", "--overwrite"])
        #expect(shapeStatus == 0, "\(shapeErr)")
    }

    @Test func exportsATokenModelWithAnInt32Input() throws {
        try LeptonExecutable.requireBuilt()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-export-cli-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = Sequential([Embedding(vocabularySize: 40, dimensions: 6), Bidirectional(LSTM(units: 4)), Dense(units: 1, activation: .sigmoid)])
        model.build(inputShape: [7], dtype: .int32)
        ExportCheck.perturb(model, seed: 5, std: 0.3)
        let folder = dir.appendingPathComponent("tokens"), onnx = dir.appendingPathComponent("tokens.onnx")
        try ModelFile.save(model, to: folder, inputShape: [7], inputDType: .int32)
        let (status, _, stderr) = try LeptonExecutable.run(["export", folder.path, "--onnx", onnx.path])
        #expect(status == 0, "\(stderr)")
        #expect(try ONNXModelFile.read(onnx).graph.input[0].type.tensorType.elemType == ONNXElementType.int32.rawValue)
        let ids = ExportCheck.ids([5, 7], bound: 40, seed: 6)
        model.eval()
        let expected = Tensor.withoutGrad { model(ids) }
        let actual = try ExportCheck.oracle.run("run", [ids], attrs: ["model": .string(onnx.path)])[0]
        let difference = zip(actual.scalars, expected.scalars).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
        #expect(actual.shape == [5, 1] && difference <= ExportCheck.tolerance, "\(actual.shape), \(difference)")
    }
}
