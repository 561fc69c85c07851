import Foundation
import LeptonData
import LeptonIO
import LeptonJobs
import LeptonNN
import LeptonONNX
import LeptonTensor
import LeptonTestSupport
import Testing

/// Preprocessing travels with the model (issue 11): a model trained from a YAML config with
/// `standardize: true`, exported to ONNX, classifies the MNIST test images' raw pixel values
/// (0–255) in onnxruntime exactly as `evaluate` scored it in Lepton.
@Suite struct RawInputExportTests {
    @Test func exportedMNISTModelTakesRawPixels() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-raw-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("cnn.yaml")
        try """
        dataset: {name: mnist, standardize: true, train_limit: 2000, test_limit: 500}
        model: {layers: [{type: Conv2D, filters: 8, kernel_size: [3, 3], activation: relu}, {type: MaxPooling2D},
                         {type: Flatten}, {type: Dense, units: 10, activation: softmax}]}
        loss: sparse_categorical_crossentropy
        metrics: [accuracy]
        epochs: 1
        seed: 5
        """.write(to: config, atomically: true, encoding: .utf8)
        let job = try TrainingJob(config: try TrainingConfig.load(config.path))
        let result = try job.run()
        let model = try #require(job.model), data = try #require(job.data)
        #expect(model.layers.first is LeptonNN.Normalization)
        let onnx = dir.appendingPathComponent("cnn.onnx")
        try ONNXExporter.export(model: model, inputShape: [28, 28, 1], to: onnx)
        // The test images as the IDX file holds them: whole numbers 0–255.
        #expect(data.testX.scalars.allSatisfy { $0 >= 0 && $0 <= 255 && $0 == $0.rounded() })
        let outputs = try ExportCheck.oracle.run("run", [data.testX], attrs: ["model": .string(onnx.path)])[0]
        let classes = outputs.argmax(axis: -1).int32Scalars, labels = data.testY.int32Scalars
        let accuracy = Float(zip(classes, labels).filter { $0 == $1 }.count) / Float(labels.count)
        #expect(abs(accuracy - result.test["accuracy"]!) < 1e-6, "onnxruntime \(accuracy), Lepton \(result.test)")
        #expect(accuracy > 0.8, "\(accuracy)")
    }
}
