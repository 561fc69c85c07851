import Foundation
import LeptonData

// The NPY benchmark (`--only npy`, not part of the default run): training the MNIST MLP for one
// epoch over a ≥ 3 GB `.npy` file through a memory-mapped `NPYDataset`, against the same
// training over an in-memory tensor of the file's first MNIST copy, for as many samples, at
// the same batch size. Each path runs in a fresh process (`--npy-probe`, see NPYProbe.swift) so
// that each peak RSS is its own. Bars: the mapped path's peak RSS under 1 GB (1,000 MB), and
// its samples/s at least 90 % of the in-memory path's.

/// Settings of the NPY benchmark.
struct NPYBenchmarkSettings {
    /// Where the generated folder goes (`--npy-dir`; default: the temporary folder).
    var parent: String?
    /// An existing folder holding `x.npy` and `y.npy` to use instead of generating (`--npy-data`; never deleted).
    var data: String?
    /// MNIST copies in the generated file (`--npy-copies`; 17: 3.2 GB).
    var copies = 17
    /// Keep the generated folder (`--keep-npy`).
    var keep = false
    /// Batch size of both paths (`--batch`; 128 as `examples/mnist-mlp.yaml`).
    var batch = 128
    /// Fresh processes per path, alternating (`--npy-runs`).
    var runs = 1
}

/// Both paths at one thread count.
struct NPYBenchmarkResult {
    let threads: Int
    let batch: Int
    let mapped: [NPYProbeResult]
    let memory: [NPYProbeResult]

    var mappedRate: Summary { Summary(mapped.map(\.samplesPerSecond)) }
    var memoryRate: Summary { Summary(memory.map(\.samplesPerSecond)) }
    /// The mapped path's speed over the in-memory path's: the median over the pairs of runs, each
    /// pair run back to back (robust to the machine's load changing during the benchmark).
    var ratio: Double { Summary(pairRatios).median }
    /// The ratio of each pair of runs.
    var pairRatios: [Double] { zip(mapped, memory).map { $0.samplesPerSecond / $1.samplesPerSecond } }
    /// The mapped path's largest peak RSS, MB (10^6 bytes).
    var mappedPeakMB: Double { Double(mapped.map(\.peakRSSKilobytes).max() ?? 0) * 1024 / 1e6 }
    var passes: Bool { ratio >= 0.9 && mappedPeakMB < 1000 }
}

/// Generates the file (unless given one), runs both paths at each thread count, and removes
/// the generated folder unless asked to keep it.
func runNPYBenchmark(_ settings: NPYBenchmarkSettings, threads: [Int]) throws -> [NPYBenchmarkResult] {
    let folder: URL
    if let data = settings.data {
        folder = URL(fileURLWithPath: data)
    } else {
        let parent = URL(fileURLWithPath: settings.parent ?? NSTemporaryDirectory())
        folder = parent.appendingPathComponent("lepton-npy-bench-\(UUID().uuidString.prefix(8))")
        let size = try NPYBenchmarkData.size(copies: settings.copies)
        let free = (try? FileManager.default.attributesOfFileSystem(forPath: parent.path))?[.systemFreeSize] as? Int
        if let free, free < size + (1 << 30) {
            throw BenchError("\(parent.path) has \(free / 1_000_000) MB free; the NPY benchmark needs \(size / 1_000_000) MB and 1 GB to spare")
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let start = now()
        do { try NPYBenchmarkData.generate(into: folder, copies: settings.copies) } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
        print(String(format: "npy: wrote %.2f GB (%d MNIST copies, float32 [%d, 28, 28, 1] + int64 labels) to %@ in %.0f s",
                     Double(size) / 1e9, settings.copies, settings.copies * NPYBenchmarkData.imagesPerCopy, folder.path, now() - start))
    }
    defer {
        if settings.data == nil {
            if settings.keep { print("npy: kept \(folder.path) (reuse it with --npy-data)") }
            else { try? FileManager.default.removeItem(at: folder) }
        }
    }
    let rows = try NPYDataset(x: folder.appendingPathComponent(NPYBenchmarkData.features)).count
    let epochs = max(1, rows / NPYBenchmarkData.imagesPerCopy)   // the in-memory path trains on as many samples
    var results: [NPYBenchmarkResult] = []
    for t in threads {
        var mapped: [NPYProbeResult] = [], memory: [NPYProbeResult] = []
        for run in 0..<settings.runs {
            // Pairs run back to back, the order alternating so that a trend in the load favours neither path.
            let order = [("mapped", 0), ("memory", 1)]
            for (path, list) in run % 2 == 0 ? order : order.reversed() {
                let r = try npyProbe(path, folder: folder, threads: t, batch: settings.batch, epochs: epochs)
                if list == 0 { mapped.append(r) } else { memory.append(r) }
                print(String(format: "  npy %@ b%d @%d thr: %.0f samples/s over %d samples (%.0f s), peak RSS %.0f MB, mapped pages at most %.0f MB, loss %.4f, accuracy %.4f",
                             path, settings.batch, t, r.samplesPerSecond, r.samples, r.seconds, Double(r.peakRSSKilobytes) * 1024 / 1e6,
                             Double(r.maxFileRSSKilobytes) * 1024 / 1e6, r.loss, r.accuracy))
            }
        }
        results.append(NPYBenchmarkResult(threads: t, batch: settings.batch, mapped: mapped, memory: memory))
    }
    return results
}

/// Runs `lepton-bench --npy-probe PATH` in a fresh process and parses its result line.
private func npyProbe(_ path: String, folder: URL, threads: Int, batch: Int, epochs: Int) throws -> NPYProbeResult {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    let process = Process(), output = Pipe()
    process.executableURL = URL(fileURLWithPath: exe)
    process.arguments = ["--npy-probe", path, "--npy-data", folder.path, "--threads", "\(threads)",
                         "--batch", "\(batch)", "--npy-epochs", "\(epochs)"]
    process.standardOutput = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0, let line = text.split(separator: "\n").last(where: { $0.hasPrefix("npy_probe ") }),
          let result = NPYProbeResult(line: line) else {
        throw BenchError("npy probe '\(path)' failed (status \(process.terminationStatus)): \(text.suffix(300))")
    }
    return result
}

extension Report {
    static let npyHeader = ["path", "thr", "batch", "samples", "samples/s", "min–max", "peak RSS MB", "mapped pages max MB",
                            "loss", "accuracy", "runs"]

    static func npyRows(_ results: [NPYBenchmarkResult]) -> [[String]] {
        results.flatMap { r -> [[String]] in
            [("memory-mapped NPY", r.mapped, r.mappedRate), ("in-memory tensor", r.memory, r.memoryRate)].map { name, runs, rate in
                let peaks = runs.map { Double($0.peakRSSKilobytes) * 1024 / 1e6 }, files = runs.map { Double($0.maxFileRSSKilobytes) * 1024 / 1e6 }
                return [name, "\(r.threads)", "\(r.batch)", "\(runs.first?.samples ?? 0)", fmt(rate.median), "\(fmt(rate.min))–\(fmt(rate.max))",
                        fmt(peaks.max() ?? 0), fmt(files.max() ?? 0), String(format: "%.4f", runs.last?.loss ?? .nan),
                        String(format: "%.4f", runs.last?.accuracy ?? .nan), "\(runs.count)"]
            }
        }
    }

    static func npyVerdicts(_ results: [NPYBenchmarkResult]) -> String {
        results.map { r in
            String(format: "@%d thr: mapped / in-memory samples/s %.2f× (median of the pairs %@; bar ≥ 0.90×), mapped peak RSS %@ MB (bar < 1,000 MB): %@",
                   r.threads, r.ratio, r.pairRatios.map { String(format: "%.2f", $0) }.joined(separator: ", "),
                   fmt(r.mappedPeakMB), r.passes ? "met" : "MISSED")
        }.joined(separator: "\n")
    }

    static func npyText(_ results: [NPYBenchmarkResult]) -> String {
        table([npyHeader] + npyRows(results), leftColumns: [0]) + "\n" + npyVerdicts(results)
    }

    static func npyMarkdown(_ results: [NPYBenchmarkResult]) -> String {
        markdownTable(header: npyHeader, rows: npyRows(results), leftColumns: [0]) + "\n\n" + npyVerdicts(results)
    }
}
