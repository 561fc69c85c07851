import ArgumentParser
import Foundation
import LeptonCompress
import LeptonIO
import LeptonJobs
import LeptonNN
import LeptonTensor

/// `lepton compress-bench MODEL… --data CONFIG` (hidden): Lepton's side of the compression
/// benchmarks (`python/compress_bench.py` and `python/dynamic_bench.py` run it beside ONNX Runtime
/// and PyTorch): for each model folder, test accuracy (argmax, or `> 0.5` for one sigmoid output),
/// file size, batch-256 throughput and batch-1 latency. With `--rounds N` the models take turns N
/// times (throughput: the median round; latency: the median of every pass), so a load that comes
/// and goes touches all of them alike. One JSON object per model.
struct CompressBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compress-bench", abstract: "Benchmark model folders (fp32 and int8) on a config's test split.",
        shouldDisplay: false)

    @Argument(help: "Model folders to measure.")
    var models: [String]

    @Option(help: "A YAML training config whose dataset's test split is used.")
    var data: String

    @Option(help: "Seconds of batch-256 inference per model and round.")
    var seconds = 3.0

    @Option(help: "Batch-1 forward passes per model and round (the median is reported).")
    var singles = 1000

    @Option(help: "Rounds in which the models take turns.")
    var rounds = 1

    @Option(help: "Also write the test split's inputs and labels to this JSON file ({\"x\": rows, \"y\": labels}) for peers.")
    var saveTest: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard !models.isEmpty else { throw ValidationError("expected at least one model folder") }
        guard seconds > 0, singles >= 1 else { throw ValidationError("--seconds and --singles: expected positive numbers") }
        guard (1...1000).contains(rounds) else { throw ValidationError("--rounds: expected an integer in 1...1000, got \(rounds)") }
    }

    /// One model's measurements over the rounds.
    struct Measured {
        let path: String
        let model: Sequential
        var throughputs: [Double] = []
        var latencies: [Double] = []
    }

    func run() throws {
        common.apply()
        let splits = try TrainingConfig.load(data).loadData(for: "the compression benchmark")
        let (x, y) = (splits.testX, splits.testY.scalars)
        if let saveTest { try Self.write(x: x, y: y, to: saveTest) }
        var measured = try models.map { Measured(path: $0, model: try ModelFile.load(from: URL(fileURLWithPath: $0))) }
        for m in measured { m.model.eval() }
        let batch = x.slice(axis: 0, start: 0, end: min(256, x.shape[0]))
        for _ in 0..<rounds {
            for i in measured.indices {
                let model = measured[i].model
                _ = Tensor.withoutGrad { model(batch) }
                var rows = 0
                let start = Date()
                while Date().timeIntervalSince(start) < seconds {
                    _ = Tensor.withoutGrad { model(batch) }
                    rows += batch.shape[0]
                }
                measured[i].throughputs.append(Double(rows) / Date().timeIntervalSince(start))
                for s in 0..<singles {
                    let one = x.slice(axis: 0, start: s % y.count, end: s % y.count + 1)
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    _ = Tensor.withoutGrad { model(one) }
                    measured[i].latencies.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1000)
                }
            }
        }
        for m in measured {
            let predictions = Tensor.withoutGrad { m.model.predict(x, batchSize: 256) }
            let precision = Self.precision(of: m.model)
            let fields: [String] = [
                "\"model\": \"\(m.path)\"", "\"engine\": \"lepton\"", "\"precision\": \"\(precision)\"",
                "\"kernel\": \"\(precision == "fp32" ? "float32, \(KernelPath.selected)" : Int8KernelPath.selected.rawValue)\"",
                "\"threads\": \(Lepton.threadCount)", "\"accuracy\": \(Self.accuracy(predictions, labels: y))",
                "\"bytes\": \(Self.fileBytes(m.path))", "\"throughput\": \(Self.median(m.throughputs))",
                "\"latency_us\": \(Self.median(m.latencies))", "\"rounds\": \(rounds)",
            ]
            print("{" + fields.joined(separator: ", ") + "}")
        }
    }

    /// `fp32`, `int8` (static) or `dynamic-int8`.
    static func precision(of model: Sequential) -> String {
        if model.layers.contains(where: { $0 is DynamicInt8Layer }) {
            return "dynamic-int8"
        }
        return model.stateDict().contains { $0.1.dtype == .int8 } ? "int8" : "fp32"
    }

    /// The fraction of rows whose class is the label's: argmax, or `> 0.5` for one output column.
    static func accuracy(_ predictions: Tensor, labels: [Float]) -> Double {
        let classes = predictions.count / max(1, labels.count), p = predictions.floats
        var correct = 0
        for row in 0..<labels.count {
            var best = 0
            if classes == 1 {
                best = p[row] > 0.5 ? 1 : 0
            } else {
                for c in 1..<classes where p[row * classes + c] > p[row * classes + best] { best = c }
            }
            if best == Int(labels[row]) { correct += 1 }
        }
        return Double(correct) / Double(max(1, labels.count))
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    /// Bytes of a model folder's architecture and weights.
    static func fileBytes(_ path: String) -> Int {
        [ModelFile.weightsName, ModelFile.architectureName].reduce(0) {
            $0 + (((try? FileManager.default.attributesOfItem(atPath: URL(fileURLWithPath: path).appendingPathComponent($1).path))?[.size]
                   as? NSNumber)?.intValue ?? 0)
        }
    }

    /// The test rows and labels as JSON (`x`: one array per row, `y`: one number per row).
    static func write(x: Tensor, y: [Float], to path: String) throws {
        let rows = x.shape[0], width = x.count / max(1, rows)
        let values: [Double] = x.dtype == .int32 ? x.int32Scalars.map { Double($0) } : x.scalars.map { Double($0) }
        let object: [String: Any] = ["x": (0..<rows).map { Array(values[($0 * width)..<(($0 + 1) * width)]) },
                                     "shape": x.shape, "dtype": "\(x.dtype)", "y": y.map { Double($0) }]
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
    }
}
