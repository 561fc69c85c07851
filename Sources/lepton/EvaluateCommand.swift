import ArgumentParser
import Foundation
import LeptonJobs
import LeptonData
import LeptonIO
import LeptonONNX
import LeptonTensor
import LeptonTrain

/// `lepton evaluate MODEL DATA`: loss and metrics of a saved model on the test part of a
/// training config's dataset.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate", abstract: "Evaluate a saved model on the test split of a config's dataset.")

    @Argument(help: "A saved model folder.")
    var model: String

    @Argument(help: "A YAML training config whose dataset (test split), loss and metrics are used.")
    var data: String

    func run() throws {
        try CLI.reportingErrors {
            let loaded = try ModelFile.load(from: URL(fileURLWithPath: model))
            let job = try TrainingConfig.load(data)
            let splits = try job.loadData()
            try loaded.compile(optimizer: job.optimizer, loss: job.loss, metrics: job.metrics.map { MetricSpec(named: $0) })
            print(try loaded.evaluate(x: splits.testX, y: splits.testY, batchSize: 256).description)
        }
    }
}

/// `lepton predict MODEL INPUT`: runs a saved model (a Lepton model folder, an imported-ONNX
/// folder or an `.onnx` file) on an `.npy` array or an IDX image file and prints one JSON line
/// per sample (class and probabilities, or the raw outputs).
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict", abstract: "Run a saved model on an .npy array or IDX image file; print one JSON line per sample.")

    @Argument(help: "A saved model folder, an imported-ONNX folder or an .onnx file.")
    var model: String

    @Argument(help: "Input samples: .npy (samples along axis 0) or an IDX image file (.gz or not).")
    var input: String

    @Option(help: "Print at most this many samples.")
    var limit: Int?

    func run() throws {
        try CLI.reportingErrors {
            let loaded = try ModelLoader.load(URL(fileURLWithPath: model))
            guard loaded.inputs.count == 1 else {
                throw IOError("the model takes \(loaded.inputs.count) inputs; predict feeds one array", file: model)
            }
            let url = URL(fileURLWithPath: input)
            var x: Tensor
            if input.hasSuffix(".npy") {
                x = try NPYReader.read(url)
            } else {
                let images = try IDXReader.readImages(url)
                let sample = loaded.inputs[0].shape.map { Array($0.dropFirst()) } ?? []
                let fits = !sample.isEmpty && !sample.contains(-1) && sample.reduce(1, *) == images.count / max(images.shape[0], 1)
                x = images.reshape(fits ? [images.shape[0]] + sample : images.shape + [1])
            }
            if let limit { x = x.slice(axis: 0, end: limit) }
            if let expected = loaded.inputs[0].shape, !loaded.inputs[0].accepts(shape: x.shape) {
                throw IOError("input samples have shape \(Array(x.shape.dropFirst())), the model expects \(Array(expected.dropFirst()))", file: input)
            }
            let y = try loaded.run([x])[0]
            guard y.rank >= 1 else { throw IOError("the model's output has shape \(y.shape); expected samples along axis 0", file: model) }
            let columns = y.shape[0] == 0 ? 1 : y.count / y.shape[0]
            let values = y.scalars
            for i in 0..<y.shape[0] {
                let row = values[(i * columns)..<((i + 1) * columns)]
                let rounded = row.map { String(format: "%.6g", $0) }.joined(separator: ", ")
                if columns > 1 {
                    let best = row.indices.max { row[$0] < row[$1] }! - i * columns
                    print("{\"index\": \(i), \"class\": \(best), \"outputs\": [\(rounded)]}")
                } else {
                    print("{\"index\": \(i), \"outputs\": [\(rounded)]}")
                }
            }
        }
    }
}
