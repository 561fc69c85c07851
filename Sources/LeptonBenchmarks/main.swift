import Foundation
import LeptonTensor

// lepton-bench: Lepton against NumPy (sgemm) and PyTorch CPU (conv2d, element-wise), side by
// side in one run, interleaved windows, medians and ranges. See docs/BENCHMARKS.md.

struct Options {
    var quick = false
    var markdown = false
    var keepOpenBLASEnv = false
    var only: Set<String> = ["sgemm", "conv", "elementwise"]
    var threads = [1, 2]
    var windows: Int?
    var sizes = [256, 512, 1024, 2048]

    static let usage = """
    usage: lepton-bench [--quick] [--only sgemm|conv|elementwise[,…]] [--threads 1,2] [--windows N]
                        [--sizes 256,512,…] [--markdown] [--keep-openblas-env]
      --quick              3 windows of ~0.1 s each (default: 5 windows of ~0.3 s)
      --markdown           also print the table as Markdown
      --keep-openblas-env  do not re-exec without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE
    env: LEPTON_PYTHON (default python3), LEPTON_BENCH_PEER (path of python/bench_peer.py)
    """

    static func parse(_ args: [String]) -> Options {
        var o = Options()
        var i = 0
        func value() -> String {
            i += 1
            guard i < args.count else { fail("\(args[i - 1]) needs a value") }
            return args[i]
        }
        func ints(_ s: String, _ flag: String) -> [Int] {
            let v = s.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !v.isEmpty, v.allSatisfy({ ($0 ?? 0) > 0 }) else { fail("\(flag) expects positive integers, got '\(s)'") }
            return v.map { $0! }
        }
        while i < args.count {
            switch args[i] {
            case "--quick": o.quick = true
            case "--markdown": o.markdown = true
            case "--keep-openblas-env": o.keepOpenBLASEnv = true
            case "--only":
                let groups = Set(value().split(separator: ",").map(String.init))
                let known: Set<String> = ["sgemm", "conv", "elementwise"]
                guard groups.isSubset(of: known), !groups.isEmpty else { fail("--only takes sgemm, conv or elementwise") }
                o.only = groups
            case "--threads": o.threads = ints(value(), "--threads")
            case "--windows": o.windows = ints(value(), "--windows")[0]
            case "--sizes": o.sizes = ints(value(), "--sizes")
            case "-h", "--help": print(usage); exit(0)
            default: fail("unknown option '\(args[i])'")
            }
            i += 1
        }
        return o
    }
}

func fail(_ message: String) -> Never {
    fputs("lepton-bench: \(message)\n\(Options.usage)\n", stderr)
    exit(2)
}

signal(SIGPIPE, SIG_IGN)  // a dead peer must give an error message, not kill the benchmark
let options = Options.parse(Array(CommandLine.arguments.dropFirst()))
BenchEnvironment.dropOpenBLASOverridesByReexec(keep: options.keepOpenBLASEnv)

var settings = RunSettings()
if options.quick { settings.windows = 3; settings.windowSeconds = 0.1 }
if let w = options.windows { settings.windows = w }

var benchmarks: [Benchmark] = []
if options.only.contains("sgemm") { benchmarks += sgemmBenchmarks(sizes: options.sizes) }
if options.only.contains("conv") { benchmarks += convBenchmarks() }
if options.only.contains("elementwise") { benchmarks += elementwiseBenchmarks() }

let started = Date()
print("lepton-bench  \(ISO8601DateFormatter().string(from: started))  \(settings.windows) windows of ~\(settings.windowSeconds) s per side, interleaved")
print("Lepton: \(BenchEnvironment.leptonBLASDescription())")
print("load average at start: \(BenchEnvironment.loadAverage())  (other work on this 2-core VM skews absolute figures; ratios are interleaved)")

var results: [Result] = []
do {
    for threads in options.threads {
        let peer = try PeerProcess(threads: threads)
        defer { peer.close() }
        if let info = try? peer.command("info") { print("peer (\(threads) thr): \(info.dropFirst(5))") }
        for b in benchmarks {
            let r = try run(b, threads: threads, peer: peer, settings: settings)
            print(String(format: "  %@ @%d thr: Lepton %@ vs %@ %@ %@ (%.2f×)", b.name, threads,
                         Report.fmt(r.lepton.median), b.peerName, Report.fmt(r.peer.median), b.metric.unit, r.ratio))
            results.append(r)
        }
    }
} catch {
    fputs("lepton-bench: \(error)\n", stderr)
    exit(1)
}

print("\nspeed ratio = Lepton speed / peer speed (GFLOP/s ratio, or peer time / Lepton time); "
      + "bars apply at 1 thread\n")
print(Report.text(results))
if options.markdown { print("\n" + Report.markdown(results)) }
print("\nload average at end: \(BenchEnvironment.loadAverage()); took \(Int(Date().timeIntervalSince(started))) s")
let missed = results.filter { $0.passes == false }
print(missed.isEmpty ? "\nall 1-thread bars met" : "\n1-thread bars missed: " + missed.map(\.benchmark.name).joined(separator: ", "))
