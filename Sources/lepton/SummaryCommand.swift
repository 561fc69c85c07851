import ArgumentParser
import Foundation
import LeptonIO
import LeptonNN
import LeptonTrain

/// `lepton summary CONFIG|MODEL`: the layer table of a training config or a saved model.
struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary", abstract: "Print the layers, output shapes and parameter counts of a config or saved model.")

    @Argument(help: "A YAML training config or a saved model folder.")
    var path: String

    func run() throws {
        try CLI.reportingErrors {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                let model = try ModelFile.load(from: URL(fileURLWithPath: path))
                print(model.summary(inputShape: ModelInspector.inputShape(path)))
            } else {
                let job = try TrainingConfig.load(path)
                let model = try job.buildModel()
                print(model.summary(inputShape: job.inputShape))
            }
        }
    }
}

/// Reads what a model folder records besides its layers.
enum ModelInspector {
    static func inputShape(_ path: String) -> [Int]? {
        guard let data = FileManager.default.contents(atPath: path + "/" + ModelFile.architectureName),
              case .object(let o)? = try? JSONDecoder().decode(ConfigValue.self, from: data),
              case .array(let dims)? = o["input_shape"] else { return nil }
        return dims.compactMap { if case .int(let i) = $0 { return i }; return nil }
    }
}
