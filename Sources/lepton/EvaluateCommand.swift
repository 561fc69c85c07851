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

    @OptionGroup var common: CommonOptions

    func run() throws {
        common.apply()
        let loaded = try ModelFile.load(from: URL(fileURLWithPath: model))
        let job = try TrainingConfig.load(data)
        let splits = try job.loadData()
        try loaded.compile(optimizer: job.optimizer, loss: job.loss, metrics: job.metrics.map { MetricSpec(named: $0) })
        print(try loaded.evaluate(x: try splits.testInputs(for: loaded), y: splits.testY, batchSize: 256).description)
    }
}
