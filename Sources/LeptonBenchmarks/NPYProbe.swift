import Foundation
import LeptonData
import LeptonNN
import LeptonTensor
import LeptonTrain

// The child side of the NPY benchmark: one fresh process trains the MNIST MLP through
// `Model.fit(_ loader: DataLoader, …)` over either the memory-mapped file (`--npy-probe mapped`)
// or an in-memory tensor of its first MNIST copy (`--npy-probe memory`), and prints what it
// measured on one line. A process of its own per path keeps each peak RSS (VmHWM) its own.

/// The model of `examples/mnist-mlp.yaml`: Flatten → Dense(256, ReLU) → Dropout(0.1) →
/// Dense(256, ReLU) → Dense(10, softmax), Adam lr 1e-3, sparse categorical cross-entropy,
/// accuracy; scaling to 0–1 is the model's first layer (`Rescaling`, in place of the example's
/// adapted `Normalization`, which would need a pass over the data first).
func makeMNISTExampleMLP() throws -> Sequential {
    GlobalRandom.seed(BenchSeed.weights)
    let model = Sequential([
        Rescaling(scale: 1.0 / 255), Flatten(),
        Dense(units: 256, activation: .relu), Dropout(rate: 0.1),
        Dense(units: 256, activation: .relu), Dense(units: 10, activation: .softmax),
    ])
    model.build(inputShape: [28, 28, 1])
    try model.compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"])
    return model
}

/// What one probe process measured.
struct NPYProbeResult {
    let samples: Int
    let seconds: Double
    /// Peak resident set (VmHWM) over the whole process, kB.
    let peakRSSKilobytes: Int
    /// The largest file-backed resident set seen during training (mapped pages), kB.
    let maxFileRSSKilobytes: Int
    let loss: Double
    let accuracy: Double

    var samplesPerSecond: Double { Double(samples) / seconds }

    var line: String {
        "npy_probe samples \(samples) seconds \(seconds) peak_rss_kb \(peakRSSKilobytes) max_rss_file_kb \(maxFileRSSKilobytes) loss \(loss) accuracy \(accuracy)"
    }

    init(samples: Int, seconds: Double, peakRSSKilobytes: Int, maxFileRSSKilobytes: Int, loss: Double, accuracy: Double) {
        self.samples = samples
        self.seconds = seconds
        self.peakRSSKilobytes = peakRSSKilobytes
        self.maxFileRSSKilobytes = maxFileRSSKilobytes
        self.loss = loss
        self.accuracy = accuracy
    }

    /// Parses the `npy_probe …` line of a probe's output.
    init?(line: Substring) {
        let words = line.split(separator: " ").map(String.init)
        guard words.first == "npy_probe" else { return nil }
        var fields: [String: Double] = [:]
        for i in stride(from: 1, to: words.count - 1, by: 2) { fields[words[i]] = Double(words[i + 1]) }
        guard let samples = fields["samples"], let seconds = fields["seconds"], let peak = fields["peak_rss_kb"],
              let file = fields["max_rss_file_kb"], let loss = fields["loss"], let accuracy = fields["accuracy"] else { return nil }
        self.init(samples: Int(samples), seconds: seconds, peakRSSKilobytes: Int(peak), maxFileRSSKilobytes: Int(file),
                  loss: loss, accuracy: accuracy)
    }
}

/// A `/proc/self/status` field in kB (`VmRSS`, `RssFile`, `VmHWM`).
func statusKilobytes(_ field: String) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
        return Int(line.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
    }
    return nil
}

/// Samples the file-backed resident set every 100 batches and keeps its maximum.
final class FileRSSSampler: Callback {
    private(set) var maximum = 0
    func batchEnd(_ batch: Int, logs: Logs, _ context: TrainingContext) {
        if batch % 100 == 0 { maximum = max(maximum, statusKilobytes("RssFile") ?? 0) }
    }
}

/// Runs one probe and exits: `mapped` trains one epoch over the whole mapped file, `memory`
/// `epochs` epochs over the first MNIST copy held in tensors; both shuffle with the same seed.
func runNPYProbe(_ path: String, folder: URL, threads: Int, batch: Int, epochs: Int) -> Never {
    do {
        Lepton.threadCount = threads
        func mapped() throws -> NPYDataset {
            try NPYDataset(x: folder.appendingPathComponent(NPYBenchmarkData.features),
                           y: folder.appendingPathComponent(NPYBenchmarkData.labels))
        }
        let dataset: Dataset, rounds: Int
        switch path {
        case "mapped":
            (dataset, rounds) = (try mapped(), 1)
        case "memory":
            // The same rows as the file's first copy, copied out; the mapping is gone before training.
            let rows = try mapped().batch(Array(0..<NPYBenchmarkData.imagesPerCopy))
            (dataset, rounds) = (try TensorDataset(rows[0], rows[1]), epochs)
        default:
            fail("--npy-probe takes mapped or memory, got '\(path)'")
        }
        let model = try makeMNISTExampleMLP()
        let loader = DataLoader(dataset, batchSize: batch, shuffle: true, seed: BenchSeed.weights)
        let sampler = FileRSSSampler()
        let start = now()
        let history = try model.fit(loader, epochs: rounds, callbacks: [sampler], verbose: .silent)
        let seconds = now() - start
        guard let peak = statusKilobytes("VmHWM") else { throw BenchError("cannot read VmHWM") }
        func last(_ key: String) -> Double { Double(history.history[key]?.last ?? .nan) }
        print(NPYProbeResult(samples: loader.sampleCount * rounds, seconds: seconds, peakRSSKilobytes: peak,
                             maxFileRSSKilobytes: sampler.maximum, loss: last("loss"), accuracy: last("accuracy")).line)
        exit(0)
    } catch {
        fputs("npy probe: \(error)\n", stderr)
        exit(1)
    }
}
