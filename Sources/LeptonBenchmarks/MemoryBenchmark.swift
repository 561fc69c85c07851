import Foundation
import LeptonTensor

// Peak memory (peak resident set size, `VmHWM` in /proc/self/status) of CNN / MLP / LSTM
// training. Each framework runs in its own fresh process doing only that workload for a fixed
// number of steps: Lepton by re-launching this executable with the hidden flag
// `--memory-probe NAME` (see `runMemoryProbe`), PyTorch by `python3 bench_peer.py
// --memory-probe NAME`. Both include their runtime, the synthetic data, the model, the
// optimizer state and the peak of a training step; Python's includes importing torch.

/// A training workload measured for peak memory.
struct MemoryWorkload {
    /// `--memory-probe` name: `cnn`, `mlp`, `lstm`.
    let name: String
    /// Row label.
    let label: String
    let batch: Int
    let steps: Int
    let makeStep: (Int) -> () -> Void

    static let all: [MemoryWorkload] = [
        MemoryWorkload(name: "cnn", label: "CNN train", batch: 32, steps: 50, makeStep: cnnTrainingStep(batch:)),
        MemoryWorkload(name: "mlp", label: "MLP train", batch: 128, steps: 50, makeStep: mlpTrainingStep(batch:)),
        MemoryWorkload(name: "lstm", label: "LSTM train", batch: 64, steps: 20, makeStep: lstmTrainingStep(batch:)),
    ]

    static func named(_ name: String) -> MemoryWorkload? { all.first { $0.name == name } }
}

/// Peak resident set size of this process so far, in kB (`VmHWM`).
func peakRSSKilobytes() -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
    }
    return nil
}

/// The child side of the memory measurement: runs `steps` training steps of one workload and
/// prints `peak_rss_kb N` (the only output on stdout). Exits the process.
func runMemoryProbe(_ name: String, threads: Int, steps: Int?) -> Never {
    guard let w = MemoryWorkload.named(name) else { fail("--memory-probe takes cnn, mlp or lstm, got '\(name)'") }
    Lepton.threadCount = threads
    let step = w.makeStep(w.batch)
    for _ in 0..<(steps ?? w.steps) { step() }
    guard let kb = peakRSSKilobytes() else { fputs("cannot read VmHWM\n", stderr); exit(1) }
    print("peak_rss_kb \(kb)")
    exit(0)
}

/// The measured peak memory of one workload at one thread count (MB, over `runs` fresh
/// processes per side).
struct MemoryResult {
    let workload: MemoryWorkload
    let threads: Int
    let lepton: Summary
    let peer: Summary

    /// Lepton's peak over PyTorch's (≤ 1 meets the bar).
    var ratio: Double { lepton.median / peer.median }
    var passes: Bool? { threads == 1 ? lepton.median <= peer.median : nil }
}

/// Runs a command and returns the `peak_rss_kb` it prints, in MB (10^6 bytes).
private func probe(executable: String, arguments: [String], environment: [String: String]) throws -> Double {
    let process = Process()
    let output = Pipe()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = environment
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    guard process.terminationStatus == 0,
          let line = text.split(separator: "\n").last(where: { $0.hasPrefix("peak_rss_kb ") }),
          let kb = Double(line.dropFirst("peak_rss_kb ".count).trimmingCharacters(in: .whitespaces)) else {
        throw BenchError("memory probe '\(([executable] + arguments).joined(separator: " "))' failed "
                         + "(status \(process.terminationStatus)): \(text.suffix(300))")
    }
    return kb * 1024 / 1e6
}

/// Peak memory of each workload, Lepton and PyTorch alternating, `runs` fresh processes each.
func measureMemory(threads: Int, runs: Int) throws -> [MemoryResult] {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    let (python, script) = try PeerProcess.pythonAndScript()
    var results: [MemoryResult] = []
    for w in MemoryWorkload.all {
        var lepton: [Double] = [], peer: [Double] = []
        for _ in 0..<runs {
            lepton.append(try probe(executable: exe,
                                    arguments: ["--memory-probe", w.name, "--threads", "\(threads)", "--steps", "\(w.steps)"] + (BenchMode.jit ? ["--jit"] : []),
                                    environment: ProcessInfo.processInfo.environment))
            peer.append(try probe(executable: "/usr/bin/env",
                                  arguments: [python, script, "--memory-probe", w.name, "--threads", "\(threads)",
                                              "--steps", "\(w.steps)", "--batch", "\(w.batch)"],
                                  environment: PeerProcess.environment(threads: threads)))
        }
        let r = MemoryResult(workload: w, threads: threads, lepton: Summary(lepton), peer: Summary(peer))
        print(String(format: "  peak RSS %@ b%d @%d thr: Lepton %@ MB vs PyTorch %@ MB (%.2f×)", w.label, w.batch, threads,
                     Report.fmt(r.lepton.median), Report.fmt(r.peer.median), r.ratio))
        results.append(r)
    }
    return results
}

extension Report {
    static let memoryHeader = ["workload (fresh process)", "thr", "steps", "Lepton peak RSS MB", "Lepton min–max",
                               "PyTorch peak RSS MB", "PyTorch min–max", "runs", "Lepton / PyTorch", "bar", "1-thr bar"]

    static func memoryRows(_ results: [MemoryResult]) -> [[String]] {
        results.map { r in
            let verdict = r.passes.map { $0 ? "met" : "MISSED" } ?? "(info)"
            return ["\(r.workload.label) b\(r.workload.batch)", "\(r.threads)", "\(r.workload.steps)",
                    fmt(r.lepton.median), "\(fmt(r.lepton.min))–\(fmt(r.lepton.max))",
                    fmt(r.peer.median), "\(fmt(r.peer.min))–\(fmt(r.peer.max))",
                    "\(r.lepton.count)", String(format: "%.2f×", r.ratio), "≤ 1.0×", verdict]
        }
    }

    static func memoryText(_ results: [MemoryResult]) -> String {
        table([memoryHeader] + memoryRows(results), leftColumns: [0, 10])
    }

    static func memoryMarkdown(_ results: [MemoryResult]) -> String {
        markdownTable(header: memoryHeader, rows: memoryRows(results), leftColumns: [0, 10])
    }
}
