import ArgumentParser
import Foundation
import LeptonCompress
import LeptonFiles
import LeptonIO
import LeptonJobs
import LeptonNN
import LeptonONNX
import LeptonTensor

extension CalibrationMethod: ExpressibleByArgument {}

/// `lepton compress MODEL --out DIR --quantize int8 --calibration CONFIG`: post-training static
/// int8 quantisation, calibrated on the first batches of a training config's dataset. The folder
/// it writes is an ordinary model folder (`evaluate`, `predict`, `serve`, `inspect` take it).
struct CompressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compress", abstract: "Quantise a saved model to int8 (post-training static, calibrated on a config's dataset).")

    @Argument(help: "A saved model folder.")
    var model: String

    @Option(help: "The model folder to write.")
    var out: String

    @Option(help: "What to quantise to: int8.")
    var quantize: String

    @Option(help: "A YAML training config; the first batches of its dataset's training split calibrate the activations.")
    var calibration: String

    @Option(help: "How activation ranges are chosen: minmax, percentile (99.99) or entropy (KL).")
    var method: CalibrationMethod = .minmax

    @Option(help: "Calibration batches (of the config's batch_size), 1...100000.")
    var calibrationBatches = 10

    @Flag(help: "Replace a Lepton model folder already at --out.")
    var overwrite = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard quantize.lowercased() == "int8" else {
            throw ValidationError("--quantize: \"\(quantize)\" is not supported; expected int8")
        }
        guard (1...100_000).contains(calibrationBatches) else {
            throw ValidationError("--calibration-batches: expected an integer in 1...100000, got \(calibrationBatches)")
        }
    }

    func run() throws {
        common.apply()
        // Refuse an output path that cannot be written before calibrating.
        try OutputPath.checkNotEmpty(out, what: "--out")
        try OutputPath.checkFolder(URL(fileURLWithPath: out), kind: ModelFile.folderKind, overwrite: overwrite)
        let source = URL(fileURLWithPath: model)
        let float = try ModelFile.load(from: source)
        guard let inputShape = ModelInspector.inputShape(model) else {
            throw IOError("\(ModelFile.architectureName) records no input_shape, so calibration rows cannot be checked", file: model)
        }
        let job = try TrainingConfig.load(calibration)
        let splits = try job.loadData()
        let rows = min(calibrationBatches * job.batchSize, splits.trainX.shape[0])
        let data = splits.trainX.slice(axis: 0, start: 0, end: rows)
        let result = try PostTrainingQuantizer(method: method)
            .quantize(float, calibration: data, batchSize: job.batchSize, inputShape: inputShape)
        for (name, reason) in result.unsupported {
            FileHandle.standardError.write(Data("warning: layer \(name) stays float32: \(reason)\n".utf8))
        }
        try ModelFile.save(result.model, to: URL(fileURLWithPath: out), inputShape: inputShape,
                           inputDType: ModelInspector.inputDType(model), classNames: ModelFile.classNames(in: source),
                           overwrite: overwrite)
        for (name, input) in result.quantized { print("int8  \(name): input \(input)") }
        let before = Self.weightsSize(source), after = Self.weightsSize(URL(fileURLWithPath: out))
        print("Quantised \(result.quantized.count) layers (\(method.rawValue) calibration on \(rows) rows, int8 kernels: "
              + "\(Int8KernelPath.selected)); weights \(ONNXInspector.byteCount(before)) -> \(ONNXInspector.byteCount(after))"
              + (after > 0 ? String(format: " (%.2fx smaller)", Double(before) / Double(after)) : "") + "; wrote \(out)")
    }

    static func weightsSize(_ folder: URL) -> Int {
        let path = folder.appendingPathComponent(ModelFile.weightsName).path
        return ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}
