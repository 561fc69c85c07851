import ArgumentParser
import Foundation
import LeptonCompress
import LeptonData
import LeptonFiles
import LeptonIO
import LeptonJobs
import LeptonNN
import LeptonONNX
import LeptonTensor
import LeptonTrain

extension CalibrationMethod: ExpressibleByArgument {}

/// `lepton compress MODEL --out DIR --quantize int8 --calibration CONFIG`: post-training static
/// int8 quantisation, calibrated on the first batches of a training config's dataset;
/// `--quantize dynamic`: int8 weights with inputs quantised per batch (Dense and recurrent
/// layers; no calibration data);
/// `--quantize qat`: quantisation-aware training — fine-tunes on the config's training split with
/// fake-quantised inputs and weights (and normalisations folded), then converts to the same int8
/// layers as `--quantize int8`;
/// `--prune S` first fine-tunes the model on that dataset while ``MagnitudePruning`` takes its
/// Dense and Conv2D kernels to sparsity S (either or both), and stores the pruned kernels as a
/// bitmask and their non-zero values (``SparseStorage``). The folder it writes is an ordinary
/// model folder (`evaluate`, `predict`, `serve`, `inspect` take it).
struct CompressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compress", abstract: "Quantise a saved model to int8 (post-training static, quantisation-aware training or dynamic) and/or prune it, with a config's dataset.")

    @Argument(help: "A saved model folder.")
    var model: String

    @Option(help: "The model folder to write.")
    var out: String

    @Option(help: "What to quantise to: int8 (static, calibrated), qat (int8 after quantisation-aware fine-tuning) or dynamic (int8 weights, inputs quantised per batch).")
    var quantize: String?

    @OptionGroup var qat: QATOptions

    @Flag(help: "With --quantize dynamic: keep Embedding tables in float32 (PyTorch's quantize_dynamic default).")
    var floatEmbeddings = false

    @Option(help: "Prune the Dense and Conv2D kernels to this sparsity in (0, 1) by magnitude, fine-tuning on the config's data.")
    var prune: Double?

    @Option(help: "Epochs of fine-tuning while pruning (the sparsity rises polynomially over the first half).")
    var pruneEpochs = 1

    @Flag(help: "With --prune: remove that fraction of each convolution's filters (smallest L1 norm) and the inputs that read them, then fine-tune.")
    var structured = false

    @Option(help: "A YAML training config: its dataset's training split calibrates the activations and fine-tunes a pruned model (not needed for --quantize dynamic alone).")
    var calibration: String?

    @Option(help: "How activation ranges are chosen: minmax, percentile (99.99) or entropy (KL).")
    var method: CalibrationMethod = .minmax

    @Flag(help: "With --quantize int8 or dynamic: 7-bit weights (codes in -64...64, ONNX Runtime's reduce_range), so CPUs without VNNI run the faster vpmaddubsw kernels; costs a little accuracy.")
    var reduceRange = false

    @Option(help: "Calibration batches (of the config's batch_size), 1...100000.")
    var calibrationBatches = 10

    @Flag(help: "Replace a Lepton model folder already at --out.")
    var overwrite = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard quantize != nil || prune != nil else {
            throw ValidationError("expected --quantize int8, --quantize qat, --quantize dynamic, --prune SPARSITY or both")
        }
        if let quantize, !["int8", "qat", "dynamic"].contains(quantize.lowercased()) {
            throw ValidationError("--quantize: \"\(quantize)\" is not supported; expected int8, qat or dynamic")
        }
        if calibration == nil && (isStatic || isQAT || prune != nil) {
            throw ValidationError("--calibration: expected a training config (its data calibrates --quantize int8 and fine-tunes "
                                  + "--quantize qat and --prune)")
        }
        try qat.validate(isQAT: isQAT)
        if isQAT && prune != nil { throw ValidationError("--prune: not combined with --quantize qat (the fine-tuning would regrow the pruned weights)") }
        if floatEmbeddings && quantize?.lowercased() != "dynamic" {
            throw ValidationError("--float-embeddings: expected --quantize dynamic too")
        }
        if reduceRange && !(isStatic || quantize?.lowercased() == "dynamic") {
            throw ValidationError("--reduce-range: expected --quantize int8 or --quantize dynamic too")
        }
        if structured && prune == nil { throw ValidationError("--structured: expected --prune FRACTION too") }
        if let prune, !(prune > 0 && prune < 1) {
            throw ValidationError("--prune: expected a sparsity in (0, 1), got \(prune)")
        }
        guard (1...1000).contains(pruneEpochs) else {
            throw ValidationError("--prune-epochs: expected an integer in 1...1000, got \(pruneEpochs)")
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
        guard let inputShape = ModelFile.inputShape(in: URL(fileURLWithPath: model)) else {
            throw IOError("\(ModelFile.architectureName) records no input_shape, so calibration rows cannot be checked", file: model)
        }
        var compressed = float
        if let calibration, isStatic || isQAT || prune != nil {
            let job = try TrainingConfig.load(calibration)
            let splits = try job.loadData(for: "lepton compress (calibration and fine-tuning)")
            if let prune { compressed = try pruned(float, to: prune, job: job, splits: splits) }
            if isStatic { compressed = try quantizedStatically(compressed, job: job, splits: splits, inputShape: inputShape) }
            if isQAT { compressed = try qat.quantized(compressed, job: job, splits: splits, inputShape: inputShape) }
        }
        if quantize?.lowercased() == "dynamic" {
            let result = try DynamicQuantizer(embeddings: !floatEmbeddings, reduceRange: reduceRange).quantize(compressed)
            for (name, reason) in result.kept {
                FileHandle.standardError.write(Data("warning: layer \(name) stays float32: \(reason)\n".utf8))
            }
            for (name, layer) in result.quantized { print("int8  \(name): \(layer)") }
            print("Quantised \(result.quantized.count) layers dynamically (" + (reduceRange ? "7-bit weights, " : "")
                  + "int8 kernels: \(Int8KernelPath.selected))")
            compressed = result.model
        }
        try ModelFile.save(compressed, to: URL(fileURLWithPath: out), inputShape: inputShape,
                           inputDType: ModelFile.inputDType(in: URL(fileURLWithPath: model)), classNames: ModelFile.classNames(in: source),
                           overwrite: overwrite, sparse: prune != nil && !structured)
        let before = Self.weightsSize(source), after = Self.weightsSize(URL(fileURLWithPath: out))
        print("Weights \(ONNXInspector.byteCount(before)) -> \(ONNXInspector.byteCount(after))"
              + (after > 0 ? String(format: " (%.2fx smaller)", Double(before) / Double(after)) : "") + "; wrote \(out)")
    }

    /// Whether `--quantize int8` (static, calibrated) was asked for.
    var isStatic: Bool { quantize?.lowercased() == "int8" }

    /// Whether `--quantize qat` (quantisation-aware training) was asked for.
    var isQAT: Bool { quantize?.lowercased() == "qat" }

    /// `model` fine-tuned while pruned to `sparsity` (by magnitude, or whole filters with `--structured`).
    func pruned(_ model: Sequential, to sparsity: Double, job: TrainingConfig, splits: DatasetSplits) throws -> Sequential {
        var compressed = model
        var callbacks: [Callback] = []
        if structured {
            let (smaller, pruned) = try FilterPruning(fraction: sparsity).prune(model)
            for (name, before, after) in pruned { print("pruned \(name): \(before) -> \(after) filters") }
            compressed = smaller
        } else {
            let steps = max(1, (splits.trainX.shape[0] + job.batchSize - 1) / job.batchSize * pruneEpochs)
            callbacks.append(try MagnitudePruning(schedule: .polynomial(initial: 0, final: sparsity, beginStep: 0,
                                                                        endStep: max(1, steps / 2), frequency: max(1, steps / 20))))
        }
        try compressed.compile(optimizer: job.optimizer, loss: job.loss, metrics: job.metrics.map { MetricSpec(named: $0) })
        _ = try compressed.fit(x: splits.trainX, y: splits.trainY, epochs: pruneEpochs, batchSize: job.batchSize,
                               callbacks: callbacks, verbose: .oneLinePerEpoch)
        if !structured {
            for (name, sparsity) in MagnitudePruning.sparsity(of: compressed) {
                print(String(format: "pruned %@: %.1f %% zeros", name, 100 * sparsity))
            }
        }
        return compressed
    }

    /// `model` with static int8 layers calibrated on the first batches of the config's training split.
    func quantizedStatically(_ model: Sequential, job: TrainingConfig, splits: DatasetSplits, inputShape: [Int]) throws -> Sequential {
        let rows = min(calibrationBatches * job.batchSize, splits.trainX.shape[0])
        let data = splits.trainX.slice(axis: 0, start: 0, end: rows)
        let result = try PostTrainingQuantizer(method: method, reduceRange: reduceRange)
            .quantize(model, calibration: data, batchSize: job.batchSize, inputShape: inputShape)
        for (name, reason) in result.unsupported {
            FileHandle.standardError.write(Data("warning: layer \(name) stays float32: \(reason)\n".utf8))
        }
        for (name, input) in result.quantized { print("int8  \(name): input \(input)") }
        print("Quantised \(result.quantized.count) layers (\(method.rawValue) calibration on \(rows) rows, "
              + (reduceRange ? "7-bit weights, " : "") + "int8 kernels: \(Int8KernelPath.selected))")
        if Int8KernelPath.selected == .avx2 && !reduceRange {
            print("note: the int8 kernels run on AVX2 without VNNI here; --reduce-range (7-bit weights) lets them use the faster vpmaddubsw kernels")
        }
        return result.model
    }

    static func weightsSize(_ folder: URL) -> Int {
        let path = folder.appendingPathComponent(ModelFile.weightsName).path
        return ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}
