import Foundation
import LeptonCompress
import LeptonIO
import LeptonNN
import LeptonTensor
import LeptonTestSupport
import Testing

/// `lepton compress --quantize qat` (Sources/lepton/QATOptions.swift) through the built
/// executable: a small CNN with a BatchNormalization fine-tuned on a few hundred MNIST images,
/// per-epoch progress, the int8 folder read by `inspect`, `evaluate` and `export`, and the
/// errors for bad options.
@Suite struct QATCommandTests {
    @Test func fineTunesConvertsAndReportsUserErrors() throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-compress-qat")
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = try CommandTestSupport.savedMNISTModel(
            { [Rescaling(scale: 1 / 255), Conv2D(filters: 4, kernelSize: [3, 3]), BatchNormalization(), Activation(.relu),
               MaxPooling2D(), Flatten(), Dense(units: 10, activation: .softmax)] },
            seed: 2, in: dir, name: "cnn")
        let out = dir.appendingPathComponent("cnn-qat")
        let config = try CommandTestSupport.smallMNISTConfig(in: dir, trainLimit: 320, testLimit: 160, learningRate: 0.01, batchSize: 32)

        let run = try LeptonExecutable.run(["compress", folder.path, "--out", out.path, "--quantize", "qat", "--calibration", config.path,
                                            "--epochs", "2", "--freeze-observers-after", "1", "--freeze-bn-after", "1"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("fake-quantised  conv2d + batch_normalization + activation"), "\(run.stdout)")
        #expect(run.stdout.contains("Epoch 1/2") && run.stdout.contains("Epoch 2/2"), "\(run.stdout)")
        #expect(run.stdout.contains("int8  conv2d + max_pooling2d: input scale"), "\(run.stdout)")
        #expect(run.stdout.contains("Test (int8): loss: ") && run.stdout.contains("accuracy: "), "\(run.stdout)")
        #expect(run.stdout.contains("Quantised 2 layers after 2 epochs of quantisation-aware training"), "\(run.stdout)")
        let inspect = try LeptonExecutable.run(["inspect", out.path])
        #expect(inspect.status == 0 && inspect.stdout.contains("(QuantizedConv2D)") && inspect.stdout.contains("(QuantizedDense)")
                && !inspect.stdout.contains("BatchNormalization"), "\(inspect.stdout) \(inspect.stderr)")
        let evaluate = try LeptonExecutable.run(["evaluate", out.path, config.path, "--threads", "1"])
        #expect(evaluate.status == 0 && evaluate.stdout.contains("accuracy"), "\(evaluate.stderr)")
        let export = try LeptonExecutable.run(["export", out.path, "--onnx", dir.appendingPathComponent("m.onnx").path])
        #expect(export.status == 0, "\(export.stderr)")

        let cases: [([String], String)] = [
            (["--quantize", "qat", "--calibration", config.path, "--epochs", "0"], "--epochs: expected an integer in 1...1000, got 0"),
            (["--quantize", "qat", "--calibration", config.path, "--epochs", "2", "--freeze-observers-after", "2"],
             "--freeze-observers-after: expected an integer in 1..<2"),
            (["--quantize", "qat", "--calibration", config.path, "--freeze-bn-after", "3"], "--freeze-bn-after: expected an integer in 0..<1"),
            (["--quantize", "qat", "--calibration", config.path, "--learning-rate", "0"], "--learning-rate: expected a positive number, got 0.0"),
            (["--quantize", "int8", "--calibration", config.path, "--freeze-observers-after", "1"], "--freeze-observers-after: expected --quantize qat too"),
            (["--quantize", "dynamic", "--epochs", "2"], "--epochs: expected --quantize qat too"),
            (["--quantize", "qat"], "--calibration: expected a training config"),
            (["--quantize", "qat", "--calibration", config.path, "--prune", "0.5"], "--prune: not combined with --quantize qat"),
            (["--quantize", "qat", "--calibration", config.path], "pass --overwrite"),
        ]
        for (flags, message) in cases {
            let refused = try LeptonExecutable.run(["compress", folder.path, "--out", out.path] + flags)
            #expect(refused.status == 1 && refused.stderr.hasPrefix("error: ") && refused.stderr.contains(message), "\(flags): \(refused.stderr)")
        }
    }
}
