import Foundation
import LeptonTensor

// lepton-bench: Lepton against NumPy (sgemm) and PyTorch CPU (conv2d, element-wise, and the
// CNN / MLP / LSTM / Transformer training and inference workloads), with TensorFlow-Keras (XLA)
// and JAX beside PyTorch on the model workloads when their venvs exist, side by side in one run,
// interleaved windows, medians and ranges, plus peak memory of training in fresh processes.
// See docs/BENCHMARKS.md.

struct Options {
    var quick = false
    var markdown = false
    var keepOpenBLASEnv = false
    /// `--jit`: the model rows' Lepton side runs compiled steps (`compile(..., jit: true)`).
    var jit = false
    var only: Set<String> = Options.allGroups
    var threads = [1, 2]
    /// `--peers`: the frameworks to run (PyTorch always); nil: PyTorch plus every other whose venv exists.
    var peers: [PeerKind]?
    var windows: Int?
    var settle: Double?
    var sizes = [256, 512, 1024, 2048]
    /// Fresh processes per side for each peak-memory figure.
    var memoryRuns: Int?
    /// Hidden: `--memory-probe NAME` runs one training workload and prints its peak RSS.
    var memoryProbe: String?
    var probeSteps: Int?
    /// The NPY benchmark (`--only npy`).
    var npy = NPYBenchmarkSettings()
    /// Hidden: `--npy-probe mapped|memory` trains one NPY benchmark path and prints what it measured.
    var npyProbe: String?
    var npyEpochs = 1

    static let kernelGroups: [String] = ["sgemm", "conv", "elementwise"]
    static let modelGroups: [String] = ["cnn32", "cnn128", "cnninfer", "latency", "mlp", "lstm", "transformer"]
    static let allGroups = Set(kernelGroups + modelGroups + ["memory"])
    /// Groups run only when named: `npy` writes a 3.2 GB file and trains for minutes.
    static let optionalGroups: Set<String> = ["npy"]

    static let usage = """
    usage: lepton-bench [--quick] [--only GROUP[,…]] [--threads 1,2] [--peers torch,keras,jax] [--windows N]
                        [--settle SECONDS] [--jit]
                        [--sizes 256,512,…] [--memory-runs N] [--markdown] [--keep-openblas-env]
                        [--npy-dir DIR] [--npy-data DIR] [--npy-copies N] [--keep-npy] [--batch N] [--npy-runs N]
      --only GROUP[,…]     sgemm, conv, elementwise, cnn32, cnn128, cnninfer, latency, mlp, lstm,
                           transformer, memory; or kernels (the first three), models (cnn32…transformer);
                           npy (only when named): MNIST MLP over a memory-mapped ≥ 3 GB .npy vs in memory
      --peers P[,…]        frameworks beside Lepton on the model rows: torch (always; NumPy and PyTorch, the
                           bars are against it), keras (TensorFlow-Keras, XLA), jax; default: torch plus
                           those whose venv exists (scripts/bench_peers_setup.sh)
      --npy-dir DIR        where the npy benchmark writes its file (default: the temporary folder)
      --npy-data DIR       use x.npy / y.npy already in DIR (e.g. kept earlier) instead of writing them
      --npy-copies N       MNIST copies in the file (default 17: 3.2 GB)
      --keep-npy           keep the generated folder (default: deleted at the end)
      --batch N            batch size of the npy benchmark (default 128)
      --npy-runs N         fresh processes per path, alternating (default 1)
      --quick              3 windows of ~0.1 s each, 300 latency calls, 1 memory run
                           (default: 5 windows of ~0.3 s, 1,000 latency calls, 3 memory runs)
      --settle SECONDS     pause before each window at 2+ threads, so one side's spinning worker threads
                           sleep before the next side's window (default 0.25; 0: none)
      --memory-runs N      fresh processes per side for each peak-memory figure
      --markdown           also print the tables as Markdown
      --jit                the Lepton side of the CNN, MLP and LSTM rows runs compiled steps
                           (compile(..., jit: true): fit's trainStep, predict); the Transformer row's
                           encoder loop stays eager
      --keep-openblas-env  do not re-exec without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE
    env: LEPTON_PYTHON (PyTorch's Python, default python3), LEPTON_PYTHON_KERAS, LEPTON_PYTHON_JAX
         (default .venv-bench-keras/bin/python, .venv-bench-jax/bin/python beside python/),
         LEPTON_BENCH_PEER (path of python/bench_peer.py; the other peers' scripts are beside it)
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
            case "--jit": o.jit = true
            case "--markdown": o.markdown = true
            case "--keep-openblas-env": o.keepOpenBLASEnv = true
            case "--only":
                var groups = Set<String>()
                for g in value().split(separator: ",").map(String.init) {
                    switch g {
                    case "kernels": groups.formUnion(kernelGroups)
                    case "models": groups.formUnion(modelGroups)
                    default:
                        guard allGroups.contains(g) || optionalGroups.contains(g) else {
                            fail("--only: unknown group '\(g)'; known: kernels, models, " + (kernelGroups + modelGroups + ["memory", "npy"]).joined(separator: ", "))
                        }
                        groups.insert(g)
                    }
                }
                guard !groups.isEmpty else { fail("--only needs at least one group") }
                o.only = groups
            case "--threads": o.threads = ints(value(), "--threads")
            case "--peers":
                let list = value()
                guard let kinds = PeerKind.parseList(list) else {
                    fail("--peers: unknown peer in '\(list)'; known: " + PeerKind.allCases.map(\.rawValue).joined(separator: ", "))
                }
                o.peers = kinds
            case "--windows": o.windows = ints(value(), "--windows")[0]
            case "--settle":
                let text = value()
                guard let s = Double(text), s >= 0, s <= 10 else { fail("--settle expects seconds in 0...10, got '\(text)'") }
                o.settle = s
            case "--sizes": o.sizes = ints(value(), "--sizes")
            case "--memory-runs": o.memoryRuns = ints(value(), "--memory-runs")[0]
            case "--memory-probe": o.memoryProbe = value()
            case "--steps": o.probeSteps = ints(value(), "--steps")[0]
            case "--npy-dir": o.npy.parent = value()
            case "--npy-data": o.npy.data = value()
            case "--npy-copies": o.npy.copies = ints(value(), "--npy-copies")[0]
            case "--keep-npy": o.npy.keep = true
            case "--batch": o.npy.batch = ints(value(), "--batch")[0]
            case "--npy-runs": o.npy.runs = ints(value(), "--npy-runs")[0]
            case "--npy-probe": o.npyProbe = value()
            case "--npy-epochs": o.npyEpochs = ints(value(), "--npy-epochs")[0]
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
BenchMode.jit = options.jit
BenchEnvironment.dropOpenBLASOverridesByReexec(keep: options.keepOpenBLASEnv)
if let name = options.memoryProbe { runMemoryProbe(name, threads: options.threads[0], steps: options.probeSteps) }
if let path = options.npyProbe {
    guard let data = options.npy.data else { fail("--npy-probe needs --npy-data") }
    runNPYProbe(path, folder: URL(fileURLWithPath: data), threads: options.threads[0], batch: options.npy.batch, epochs: options.npyEpochs)
}

var settings = RunSettings()
if options.quick { settings.windows = 3; settings.windowSeconds = 0.1; settings.latencyCalls = 300 }
if let w = options.windows { settings.windows = w }
if let s = options.settle { settings.settleSeconds = s }
let memoryRuns = options.memoryRuns ?? (options.quick ? 1 : 3)

var benchmarks: [Benchmark] = []
if options.only.contains("sgemm") { benchmarks += sgemmBenchmarks(sizes: options.sizes) }
if options.only.contains("conv") { benchmarks += convBenchmarks() }
if options.only.contains("elementwise") { benchmarks += elementwiseBenchmarks() }
if options.only.contains("cnn32") { benchmarks += cnnTrainBenchmarks(batches: [32]) }
if options.only.contains("cnn128") { benchmarks += cnnTrainBenchmarks(batches: [128]) }
if options.only.contains("cnninfer") { benchmarks += cnnInferenceBenchmarks() }
if options.only.contains("latency") { benchmarks += latencyBenchmarks() }
if options.only.contains("mlp") { benchmarks += mlpBenchmarks() }
if options.only.contains("lstm") { benchmarks += lstmBenchmarks() }
if options.only.contains("transformer") { benchmarks += transformerBenchmarks() }

let started = Date()
print("lepton-bench  \(ISO8601DateFormatter().string(from: started))  \(settings.windows) windows of ~\(settings.windowSeconds) s per side, interleaved")
print("Lepton: \(BenchEnvironment.leptonBLASDescription())")
print("Lepton model rows: \(options.jit ? "compiled steps (compile(..., jit: true)); the Transformer row eager" : "eager")")
print("load average at start: \(BenchEnvironment.loadAverage())  (other work on this 2-core VM skews absolute figures; ratios are interleaved)")

// Keras and JAX run the model rows only: without one, their workers are not started.
let peerKinds: [PeerKind] = benchmarks.contains { $0.allPeers } ? (options.peers ?? PeerKind.allCases) : [.torch]
var peerSummaries: [String] = []

var results: [Result] = []
var memoryResults: [MemoryResult] = []
var npyResults: [NPYBenchmarkResult] = []
do {
    for threads in options.threads {
        if !benchmarks.isEmpty {
            let peers = try PeerGroup(peerKinds, threads: threads)
            defer { peerSummaries.append(peers.description); peers.close() }
            print(peers.description)
            for peer in peers.all {
                if let info = try? peer.command("info") { print("\(peer.kind.displayName) peer (\(threads) thr): \(info.dropFirst(5))") }
            }
            for b in benchmarks {
                let r = try run(b, threads: threads, peers: peers, settings: settings)
                var line = String(format: "  %@ @%d thr: Lepton %@ vs %@ %@ %@ (%.2f×)", b.name, threads,
                                  Report.fmt(r.lepton.median), b.peerName, Report.fmt(r.peer.median), b.metric.unit, r.ratio)
                for o in r.others {
                    line += String(format: "; %@ %@ (%.2f×)", o.kind.displayName, Report.fmt(o.summary.median),
                                   b.metric.speedRatio(lepton: r.lepton.median, peer: o.summary.median))
                }
                print(line)
                results.append(r)
            }
        }
        if options.only.contains("memory") {
            memoryResults += try measureMemory(threads: threads, runs: memoryRuns)
        }
    }
    if options.only.contains("npy") { npyResults = try runNPYBenchmark(options.npy, threads: options.threads) }
} catch {
    fputs("lepton-bench: \(error)\n", stderr)
    exit(1)
}

if !results.isEmpty {
    print("\nspeed ratio = Lepton speed / peer speed (rate ratio, or peer time / Lepton time); "
          + "bars apply at 1 thread, against the peer column; best peer = the fastest of NumPy/PyTorch, Keras and JAX "
          + "on the row; latency ranges are p10–p90 of single calls\n")
    print(Report.text(results))
    if let peersTable = Report.peersText(results) {
        print("\nmedians of every peer on the model rows (vs X = Lepton speed / X's speed; – = did not run)\n")
        print(peersTable)
    }
}
if !memoryResults.isEmpty {
    print("\npeak memory = peak RSS (VmHWM) of a fresh process running only that training workload "
          + "(PyTorch's includes the Python interpreter and torch); median of \(memoryRuns) run(s) per side\n")
    print(Report.memoryText(memoryResults))
}
if !npyResults.isEmpty {
    print("\nnpy: the MNIST MLP (examples/mnist-mlp.yaml) trained through Model.fit(DataLoader) with shuffling, each path in a "
          + "fresh process; peak RSS = VmHWM; mapped pages = the largest RssFile seen during training\n")
    print(Report.npyText(npyResults))
}
if options.markdown {
    if !results.isEmpty { print("\n" + Report.markdown(results)) }
    if let peersTable = Report.peersMarkdown(results) { print("\n" + peersTable) }
    if !memoryResults.isEmpty { print("\n" + Report.memoryMarkdown(memoryResults)) }
    if !npyResults.isEmpty { print("\n" + Report.npyMarkdown(npyResults)) }
}
if !peerSummaries.isEmpty { print("\n" + peerSummaries.joined(separator: "\n")) }
print("\nload average at end: \(BenchEnvironment.loadAverage()); took \(Int(Date().timeIntervalSince(started))) s")
var missed: [String] = results.filter { $0.passes == false }.map { $0.benchmark.name }
missed += memoryResults.filter { $0.passes == false }.map { "peak RSS " + $0.workload.label }
missed += npyResults.filter { !$0.passes }.map { "npy @\($0.threads) thr" }
print(missed.isEmpty ? "\nall 1-thread bars met" : "\n1-thread bars missed: " + missed.joined(separator: ", "))
