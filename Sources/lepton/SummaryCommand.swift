import ArgumentParser
import Foundation
import LeptonFiles
import LeptonIO
import LeptonJobs
import LeptonNN
import LeptonTensor
import LeptonTrain

/// `lepton summary CONFIG|MODEL`: the layer table of a training config or a saved model.
struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary", abstract: "Print the layers, output shapes and parameter counts of a config or saved model.")

    @Argument(help: "A YAML training config or a saved model folder.")
    var path: String

    func run() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            let model = try ModelFile.load(from: URL(fileURLWithPath: path))
            print(model.summary(inputShape: ModelFile.inputShape(in: URL(fileURLWithPath: path)), dtype: ModelFile.inputDType(in: URL(fileURLWithPath: path))))
        } else {
            let job = try TrainingConfig.load(path)
            let model = try job.buildModel()
            let first = model.layers.first
            let dtype: DType = first is Embedding || first is TokenAndPositionEmbedding || first is MatrixFactorization ? .int32 : .float32
            print(model.summary(inputShape: job.inputShape, dtype: dtype))
        }
    }
}
