import Foundation
import LeptonCompress
import LeptonIO
import LeptonNN
import LeptonTensor
import LeptonTestSupport
import Testing

/// `lepton compress` (Sources/lepton/CompressCommand.swift) through the built executable: a saved
/// model quantised with a config's MNIST images, the folder read by `inspect` and `evaluate`,
/// layers left in float32 named in a warning, and user errors as one `error:` line with status 1;
/// `--quantize dynamic` without a config, the folder read by `inspect`, `evaluate` and `predict`,
/// refused by `export`, and a model it cannot quantise refused.
@Suite struct CompressCommandTests {
    @Test func compressesAndReportsUserErrors() throws {
        QuantizedLayers.register()   // the test loads the int8 folder itself
        let dir = try LeptonExecutable.scratchFolder("lepton-compress-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = Sequential([Rescaling(scale: 1 / 255), Conv2D(filters: 4, kernelSize: [3, 3], activation: .relu),
                                MaxPooling2D(), Flatten(), BatchNormalization(), Dense(units: 10, activation: .softmax)])
        model.build(inputShape: [28, 28, 1])
        let folder = dir.appendingPathComponent("cnn"), out = dir.appendingPathComponent("cnn-int8")
        try ModelFile.save(model, to: folder, inputShape: [28, 28, 1])
        let mnist = NumPyOracle.repositoryRoot.appendingPathComponent("examples/mnist-cnn.yaml").path
        let sentiment = NumPyOracle.repositoryRoot.appendingPathComponent("examples/sentiment-lstm.yaml").path

        let (status, stdout, stderr) = try LeptonExecutable.run(
            ["compress", folder.path, "--out", out.path, "--quantize", "int8", "--calibration", mnist, "--calibration-batches", "2"])
        #expect(status == 0, "\(stderr)")
        #expect(stdout.contains("Quantised 2 layers (minmax calibration on 64 rows, int8 kernels: \(Int8KernelPath.selected))"), "\(stdout)")
        #expect(stderr.contains("warning: layer batch_normalization stays float32: BatchNormalization has no int8 kernel"), "\(stderr)")
        let inspect = try LeptonExecutable.run(["inspect", out.path])
        #expect(inspect.status == 0 && inspect.stdout.contains("(QuantizedConv2D)") && inspect.stdout.contains("(QuantizedDense)")
                && inspect.stdout.contains("int8 "), "\(inspect.stdout) \(inspect.stderr)")
        let evaluate = try LeptonExecutable.run(["evaluate", out.path, mnist, "--threads", "1"])
        #expect(evaluate.status == 0 && evaluate.stdout.contains("accuracy"), "\(evaluate.stderr)")

        let narrow = try LeptonExecutable.run(["compress", folder.path, "--out", out.path, "--quantize", "int8", "--reduce-range",
                                               "--calibration", mnist, "--calibration-batches", "2", "--overwrite"])
        #expect(narrow.status == 0 && narrow.stdout.contains("on 64 rows, 7-bit weights, int8 kernels"), "\(narrow.stdout) \(narrow.stderr)")
        let codes = try ModelFile.load(from: out).stateDict().filter { $0.1.dtype == .int8 }
        #expect(!codes.isEmpty && codes.allSatisfy { _, t in (0..<t.count).allSatisfy { abs(Int(t.int8s[$0])) <= 64 } })
        #expect(!narrow.stdout.contains("note: the int8 kernels run on AVX2"), "\(narrow.stdout)")

        // On AVX2 without VNNI (forced here) an 8-bit compression points to --reduce-range.
        if Int8KernelPath.avx2.isSupported {
            let hinted = try LeptonExecutable.run(["compress", folder.path, "--out", out.path, "--quantize", "int8",
                                                   "--calibration", mnist, "--calibration-batches", "2", "--overwrite"],
                                                  environment: ["LEPTON_INT8_KERNEL": "avx2"])
            #expect(hinted.status == 0 && hinted.stdout.contains("int8 kernels: avx2")
                    && hinted.stdout.contains("note: the int8 kernels run on AVX2 without VNNI here; --reduce-range (7-bit weights)"),
                    "\(hinted.stdout) \(hinted.stderr)")
        }

        let cases: [([String], String)] = [
            (["--quantize", "int4", "--calibration", mnist], "--quantize: \"int4\" is not supported; expected int8, qat or dynamic"),
            (["--quantize", "int8", "--calibration", mnist, "--calibration-batches", "0"], "--calibration-batches: expected an integer in 1...100000"),
            (["--quantize", "int8", "--calibration", sentiment, "--overwrite"], "calibration rows have shape [40]; the model takes [28, 28, 1]"),
            (["--quantize", "int8", "--calibration", mnist], "pass --overwrite"),
            (["--calibration", mnist], "expected --quantize int8, --quantize qat, --quantize dynamic, --prune SPARSITY or both"),
            (["--quantize", "int8"], "--calibration: expected a training config"),
            (["--prune", "1.5", "--calibration", mnist], "--prune: expected a sparsity in (0, 1), got 1.5"),
            (["--structured", "--quantize", "int8", "--calibration", mnist], "--structured: expected --prune FRACTION too"),
            (["--reduce-range", "--quantize", "qat", "--calibration", mnist], "--reduce-range: expected --quantize int8 or --quantize dynamic too"),
        ]
        for (flags, message) in cases {
            let run = try LeptonExecutable.run(["compress", folder.path, "--out", out.path] + flags)
            #expect(run.status == 1 && run.stderr.hasPrefix("error: ") && run.stderr.contains(message), "\(flags): \(run.stderr)")
        }
    }

    @Test func quantisesDynamicallyWithoutACalibrationConfig() throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-compress-dynamic")
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = try CommandTestSupport.savedMNISTModel(
            { [Rescaling(scale: 1 / 255), Flatten(), Dense(units: 16, activation: .relu), Dense(units: 10, activation: .softmax)] },
            seed: 1, in: dir, name: "mlp")
        let out = dir.appendingPathComponent("mlp-dynamic")
        let mnist = NumPyOracle.repositoryRoot.appendingPathComponent("examples/mnist-cnn.yaml").path

        let run = try LeptonExecutable.run(["compress", folder.path, "--out", out.path, "--quantize", "dynamic"])
        #expect(run.status == 0 && run.stdout.contains("Quantised 2 layers dynamically (int8 kernels: \(Int8KernelPath.selected))"),
                "\(run.stdout) \(run.stderr)")
        let inspect = try LeptonExecutable.run(["inspect", out.path])
        #expect(inspect.status == 0 && inspect.stdout.contains("(DynamicQuantizedDense)") && inspect.stdout.contains("int8 "),
                "\(inspect.stdout) \(inspect.stderr)")
        let evaluate = try LeptonExecutable.run(["evaluate", out.path, mnist, "--threads", "1"])
        #expect(evaluate.status == 0 && evaluate.stdout.contains("accuracy"), "\(evaluate.stderr)")
        let export = try LeptonExecutable.run(["export", out.path, "--onnx", dir.appendingPathComponent("m.onnx").path])
        #expect(export.status == 1 && export.stderr.hasPrefix("error: ") && export.stderr.contains("which the ONNX export does not express"),
                "\(export.stderr)")

        let empty = dir.appendingPathComponent("empty")
        try ModelFile.save(Sequential([Rescaling(scale: 2), Flatten()]), to: empty, inputShape: [4])
        let refused = try LeptonExecutable.run(["compress", empty.path, "--out", dir.appendingPathComponent("e2").path, "--quantize", "dynamic"])
        #expect(refused.status == 1 && refused.stderr.contains("error: the model has no layer dynamic quantisation applies to"),
                "\(refused.stderr)")
    }

    @Test func prunedKernelsAreStoredSparseAndInspectShowsTheSparsity() throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-compress-sparse")
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = try CommandTestSupport.savedMNISTModel(
            { [Rescaling(scale: 1 / 255), Flatten(), Dense(units: 32, activation: .relu), Dense(units: 10, activation: .softmax)] },
            seed: 3, in: dir, name: "mlp")
        let out = dir.appendingPathComponent("mlp-pruned")
        let config = try CommandTestSupport.smallMNISTConfig(in: dir, trainLimit: 256, testLimit: 64, learningRate: 0.001, batchSize: 64)

        let run = try LeptonExecutable.run(["compress", folder.path, "--out", out.path, "--prune", "0.8", "--calibration", config.path])
        #expect(run.status == 0, "\(run.stderr)")
        // Kernels 784×32 and 32×10 at 80 % zeros: 0.2 × 4 + 1/8 bytes per weight instead of 4.
        let ratio = try #require(run.stdout.firstMatch(of: #/Weights .* \((\d+\.\d+)x smaller\)/#).flatMap { Double($0.1) }, "\(run.stdout)")
        #expect(ratio > 3.8 && ratio < 4.4, "\(run.stdout)")
        let metadata = try Safetensors.read(out.appendingPathComponent(ModelFile.weightsName)).metadata
        #expect(SparseStorage.names(in: metadata) == ["layers.2.kernel", "layers.3.kernel"], "\(metadata)")
        let inspect = try LeptonExecutable.run(["inspect", out.path])
        #expect(inspect.status == 0 && inspect.stdout.contains(" weights are zero (7") // 80 % of the kernels, biases included in the total
                && inspect.stdout.contains("stored sparse: 2 tensors (layers.2.kernel, layers.3.kernel)"), "\(inspect.stdout) \(inspect.stderr)")
        let evaluate = try LeptonExecutable.run(["evaluate", out.path, config.path, "--threads", "1"])
        #expect(evaluate.status == 0 && evaluate.stdout.contains("loss"), "\(evaluate.stderr)")
        let original = try LeptonExecutable.run(["inspect", folder.path])
        #expect(original.stdout.contains("stored dense"), "\(original.stdout)")
    }
}
