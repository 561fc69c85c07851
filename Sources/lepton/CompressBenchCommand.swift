import ArgumentParser
import Foundation
import LeptonCompress
import LeptonIO
import LeptonJobs
import LeptonNN
import LeptonTensor

/// `lepton compress-bench MODEL… --data CONFIG` (hidden): Lepton's side of the compression
/// benchmark (`python/compress_bench.py` runs it beside ONNX Runtime and PyTorch): for each model
/// folder, test accuracy, file size, batch-256 throughput and batch-1 latency. One JSON object per line.
struct CompressBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compress-bench", abstract: "Benchmark model folders (fp32 and int8) on a config's test split.",
        shouldDisplay: false)

    @Argument(help: "Model folders to measure.")
    var models: [String]

    @Option(help: "A YAML training config whose dataset's test split is used.")
    var data: String

    @Option(help: "Seconds of batch-256 inference per model.")
    var seconds = 3.0

    @Option(help: "Batch-1 forward passes per model (the median is reported).")
    var singles = 1000

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard !models.isEmpty else { throw ValidationError("expected at least one model folder") }
        guard seconds > 0, singles >= 1 else { throw ValidationError("--seconds and --singles: expected positive numbers") }
    }

    func run() throws {
        common.apply()
        let splits = try TrainingConfig.load(data).loadData(for: "the compression benchmark")
        let (x, y) = (splits.testX, splits.testY.int32Scalars)
        for path in models {
            let model = try ModelFile.load(from: URL(fileURLWithPath: path))
            model.eval()
            let predictions = Tensor.withoutGrad { model.predict(x, batchSize: 256) }
            let classes = predictions.shape[1]
            let p = predictions.floats
            var correct = 0
            for row in 0..<y.count {
                var best = 0
                for c in 1..<classes where p[row * classes + c] > p[row * classes + best] { best = c }
                if best == Int(y[row]) { correct += 1 }
            }
            let batch = x.slice(axis: 0, start: 0, end: 256)
            var images = 0
            let start = Date()
            while Date().timeIntervalSince(start) < seconds {
                _ = Tensor.withoutGrad { model(batch) }
                images += 256
            }
            let throughput = Double(images) / Date().timeIntervalSince(start)
            var latencies: [Double] = []
            for i in 0..<singles {
                let one = x.slice(axis: 0, start: i % y.count, end: i % y.count + 1)
                let t0 = DispatchTime.now().uptimeNanoseconds
                _ = Tensor.withoutGrad { model(one) }
                latencies.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1000)
            }
            latencies.sort()
            let bytes = [ModelFile.weightsName, ModelFile.architectureName].reduce(0) {
                $0 + (((try? FileManager.default.attributesOfItem(atPath: URL(fileURLWithPath: path).appendingPathComponent($1).path))?[.size]
                       as? NSNumber)?.intValue ?? 0)
            }
            let int8 = model.stateDict().contains { $0.1.dtype == .int8 }
            let fields: [String] = [
                "\"model\": \"\(path)\"", "\"engine\": \"lepton\"", "\"precision\": \"\(int8 ? "int8" : "fp32")\"",
                "\"kernel\": \"\(int8 ? Int8KernelPath.selected.rawValue : "float32")\"",
                "\"threads\": \(Lepton.threadCount)", "\"accuracy\": \(Double(correct) / Double(y.count))",
                "\"bytes\": \(bytes)", "\"throughput\": \(throughput)", "\"latency_us\": \(latencies[latencies.count / 2])",
            ]
            print("{" + fields.joined(separator: ", ") + "}")
        }
    }
}
