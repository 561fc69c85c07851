import Foundation
import LeptonIO
import LeptonNN
import LeptonONNX
import LeptonTensor
import LeptonTrain
import Testing

/// One loading seam for Lepton folders, imported-ONNX folders and `.onnx` files, with the
/// specs a server needs, and the inspector's description.
@Suite final class ModelLoaderTests {
    let directory: URL = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-loader-\(UUID())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }()

    deinit { try? FileManager.default.removeItem(at: directory) }

    @Test func onnxFilesAndImportedFoldersLoadAndRun() throws {
        let file = directory.appendingPathComponent("dense.onnx")
        try ONNXModelFile.write(ModelBuilder.dense(), to: file)
        let x = Tensor([1, 2, 3, -1, 0, 1], shape: [2, 3])
        let fromFile = try ModelLoader.load(file)
        #expect(fromFile.format == .onnx)
        #expect(fromFile.inputs == [ONNXTensorSpec(name: "x", elementType: .float, shape: [-1, 3])])
        #expect(fromFile.outputs == [ONNXTensorSpec(name: "y", elementType: .float, shape: [-1, 2])])
        let expected = try fromFile.run([x])[0].scalars
        let folder = directory.appendingPathComponent("dense-imported")
        try ONNXModelFolder.save(try ONNXImporter.load(file), to: folder, source: "dense.onnx")
        #expect(ONNXModelFolder.isImportedFolder(folder))
        let fromFolder = try ModelLoader.load(folder)
        #expect(fromFolder.format == .importedONNX && fromFolder.inputs == fromFile.inputs)
        #expect(try fromFolder.run([x])[0].scalars == expected)
        // Saving again over the folder replaces it.
        try ONNXModelFolder.save(try ONNXImporter.load(file), to: folder)
        #expect(try ModelLoader.load(folder).run([x])[0].scalars == expected)
        #expect(throws: ONNXError.self) { try fromFolder.run([Tensor.ones([2, 5])]) }
    }

    @Test func leptonFoldersLoadWithTheirSpecs() throws {
        let model = Sequential([Dense(units: 4, activation: .relu, inputDimensions: 3), Dense(units: 2)])
        model.build(inputShape: [3])
        let folder = directory.appendingPathComponent("lepton-model")
        try ModelFile.save(model, to: folder, inputShape: [3])
        let loaded = try ModelLoader.load(folder)
        #expect(loaded.format == .lepton)
        #expect(loaded.inputs == [ONNXTensorSpec(name: "input", elementType: .float, shape: [-1, 3])])
        #expect(loaded.outputs == [ONNXTensorSpec(name: "output", elementType: .float, shape: [-1, 2])])
        let x = Tensor([1, 2, 3], shape: [1, 3])
        #expect(try loaded.run([x])[0].scalars == model.predict(x).scalars)
        #expect(ModelBuilder.error { _ = try loaded.run([Tensor.ones([1, 4])]) } == "input 'input': has shape [1, 4], expected [-1, 3] (-1: any size)")
    }

    @Test func unknownPathsAndFormatsAreRefused() throws {
        #expect(ModelBuilder.error { _ = try ModelLoader.load(directory.appendingPathComponent("missing")) }.contains("not found"))
        let odd = directory.appendingPathComponent("odd")
        try FileManager.default.createDirectory(at: odd, withIntermediateDirectories: true)
        #expect(ModelBuilder.error { _ = try ModelLoader.load(odd) }.contains("model.json not found"))
        try Data("{\"format\": \"keras\"}".utf8).write(to: odd.appendingPathComponent("model.json"))
        #expect(ModelBuilder.error { _ = try ModelLoader.load(odd) }.contains("model.json has format \"keras\""))
        let text = directory.appendingPathComponent("notes.onnx")
        try Data("hello".utf8).write(to: text)
        #expect(ModelBuilder.error { _ = try ModelLoader.load(text) }.contains("not a valid ONNX model"))
    }

    @Test func inspectorListsNodesShapesAndParameters() throws {
        let text = ONNXInspector.describe(ModelBuilder.dense(), name: "dense.onnx", fileSize: 1234)
        #expect(text.hasPrefix("dense.onnx: 1.23 kB (1,234 bytes), ONNX IR 8, opset 17"))
        #expect(text.contains("x: FLOAT [batch, 3]") && text.contains("y: FLOAT [batch, 2]"))
        #expect(text.contains("Initializers: 2 tensors, 8 parameters (FLOAT 8)"))
        let row = text.split(separator: "\n").first { $0.contains("matmul") }.map(String.init) ?? ""
        #expect(row.contains("0  matmul  MatMul  x, w -> xw") && row.contains("[1, 2]") && row.hasSuffix(" 6"), "\(row)")
        #expect(text.contains("Operators: Add 1, MatMul 1, Relu 1"))
        #expect(text.contains("Lepton import: supported (3 nodes; 8 parameters, 8 trainable)"))
        var unsupported = ModelBuilder.dense()
        unsupported.graph.node[2].opType = "Mystery"
        #expect(ONNXInspector.describe(unsupported, name: "m", fileSize: nil).contains("Lepton import: not supported: unsupported operator: Mystery (node #2 'relu')"))
    }
}
