import Foundation
import LeptonData
import LeptonONNX
import LeptonTensor
import LeptonTestSupport
import LeptonTrain
import Testing

/// The benchmark suite's CNN, MLP and LSTM exported from PyTorch with `torch.onnx.export`
/// (python/torch_onnx_models.py, fixed seeds) import into Lepton and give PyTorch's outputs.
@Suite(.serialized) struct ImportTorchModelsTests {
    /// Exports the three models once per test run (into one temporary folder, overwritten each run).
    static let exported: Result<URL, Error> = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-torch-onnx-models")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [NumPyOracle.pythonExecutable,
                             NumPyOracle.repositoryRoot.appendingPathComponent("python/torch_onnx_models.py").path, dir.path]
        var environment = ProcessInfo.processInfo.environment
        environment["OMP_NUM_THREADS"] = "1"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        do {
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            guard process.terminationStatus == 0, output.contains("ok lstm") else {
                return .failure(ONNXError("python/torch_onnx_models.py failed (status \(process.terminationStatus)): \(output)"))
            }
            return .success(dir)
        } catch {
            return .failure(error)
        }
    }()

    func files(_ name: String) throws -> (model: URL, input: Tensor, output: Tensor) {
        let dir = try Self.exported.get()
        return (dir.appendingPathComponent("\(name).onnx"), try NPYReader.read(dir.appendingPathComponent("\(name)_input.npy")),
                try NPYReader.read(dir.appendingPathComponent("\(name)_output.npy")))
    }

    @Test(arguments: ["cnn", "mlp", "lstm"])
    func importedModelMatchesPyTorch(_ name: String) throws {
        let (url, input, expected) = try files(name)
        let model = try ONNXImporter.load(url)
        #expect(model.inputSpecs.count == 1 && model.inputSpecs[0].shape?.first == -1, "\(model.inputSpecs)")
        let output = try model.run([input])[0]
        #expect(output.shape == expected.shape)
        let error = TestSupport.maxRelativeError(output.tensor.scalars, expected.scalars)
        #expect(error < 1e-4, "\(name): max relative error \(error)")
        // Keras-style predict runs the same graph (in batches).
        let predicted = model.predict(input, batchSize: 2)
        #expect(TestSupport.maxRelativeError(predicted.scalars, expected.scalars) < 1e-4)
    }

    @Test func importedModelIsTrainable() throws {
        let (url, input, _) = try files("mlp")
        let model = try ONNXImporter.load(url)
        #expect(model.parameters().count == 6, "weights and biases of three Gemm layers are parameters")
        #expect(model.parameterCount == 784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10)
        let labels = Tensor(int32: [3, 1, 4, 1, 5], shape: [5])
        try model.compile(optimizer: "adam", loss: .sparseCategoricalCrossEntropy(fromLogits: true))
        let before = try model.evaluate(x: input, y: labels)["loss"]!
        try model.fit(x: input, y: labels, epochs: 20, batchSize: 5, shuffle: false, verbose: .silent)
        let after = try model.evaluate(x: input, y: labels)["loss"]!
        #expect(after < before * 0.5, "loss \(before) → \(after)")
        // The fine-tuned weights are written back into the ONNX model.
        let reloaded = try ONNXImporter.importModel(model.modelProto)
        #expect(TestSupport.maxRelativeError(try reloaded.run([input])[0].tensor.scalars, try model.run([input])[0].tensor.scalars) < 1e-6)
    }
}
