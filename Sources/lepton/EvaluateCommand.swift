import ArgumentParser
import Foundation
import LeptonJobs
import LeptonData
import LeptonIO
import LeptonONNX
import LeptonPlot
import LeptonTensor
import LeptonTrain

/// `lepton evaluate MODEL DATA`: loss and metrics of a saved model on the test part of a
/// training config's dataset; with `--confusion-matrix FILE` a classification model's confusion
/// matrix on that split is also drawn as a PNG.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate", abstract: "Evaluate a saved model on the test split of a config's dataset.")

    @Argument(help: "A saved model folder.")
    var model: String

    @Argument(help: "A YAML training config whose dataset (test split), loss and metrics are used.")
    var data: String

    @Option(help: ArgumentHelp("Also draw the confusion matrix on the test split as a PNG (classification models: a cross-entropy or hinge loss).",
                               valueName: "file"))
    var confusionMatrix: String?

    @OptionGroup var common: CommonOptions

    func run() throws {
        common.apply()
        if let confusionMatrix { try PlotCommand.checkImagePath(confusionMatrix, flag: "--confusion-matrix") }
        let modelURL = URL(fileURLWithPath: model)
        let loaded = try ModelFile.load(from: modelURL)
        let job = try TrainingConfig.load(data)
        if confusionMatrix != nil, !["crossentropy", "hinge"].contains(where: { job.loss.name.contains($0) }) {
            throw ValidationError("--confusion-matrix: \(data) trains with the loss \(job.loss.name); expected a classification loss (a cross-entropy or hinge)")
        }
        let parts = try job.loadParts()
        try loaded.compile(optimizer: job.optimizer, loss: job.loss, metrics: job.metrics.map { MetricSpec(named: $0) })
        // A text model takes the raw test sentences through its own saved vocabulary.
        let test: Dataset = try parts.inMemory.map { try TensorDataset(try $0.testInputs(for: loaded), $0.testY) } ?? parts.test
        print(try loaded.evaluate(DataLoader(test, batchSize: 256)).description)
        if let confusionMatrix {
            var matrix: ConfusionMatrix?
            let batches = DataLoader(test, batchSize: 256).batches(epoch: 0)
            for batch in batches {
                let prediction = loaded.predict(batch[0], batchSize: 256)
                matrix = matrix ?? ConfusionMatrix(classes: max(prediction.rank == 2 ? prediction.shape[1] : 1, 2))
                matrix?.update(prediction: prediction, target: batch[1])
            }
            try batches.rethrowError()
            guard let matrix else { throw ValidationError("--confusion-matrix: \(data) has no test samples") }
            let classes = matrix.classes
            let names = ModelFile.classNames(in: modelURL).flatMap { $0.count == classes ? $0 : nil }
            try ConfusionMatrixPlot(counts: matrix.counts, classNames: names, title: "Confusion matrix (\(test.count) test samples)")
                .render().write(to: URL(fileURLWithPath: confusionMatrix))
            print("Wrote \(confusionMatrix): \(classes) × \(classes) confusion matrix, rows true class, columns predicted")
        }
    }
}
