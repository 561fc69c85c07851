import ArgumentParser
import Foundation
import LeptonNN
import LeptonTune

/// `lepton tune-bench` (hidden): Lepton's side of the sampler benchmark
/// (`python/tune_bench.py` runs it beside Optuna): the best value each sampler reaches on
/// standard test functions within a trial budget, per seed, and the sampler's time per trial
/// once a study holds many finished trials. One JSON object per line.
struct TuneBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune-bench", abstract: "Benchmark the samplers on test functions (used by python/tune_bench.py).",
        shouldDisplay: false)

    @Option(help: "Test functions: branin, hartmann6, rosenbrock10, conditional (comma-separated).")
    var functions = "branin,hartmann6,rosenbrock10,conditional"

    @Option(help: "Samplers (comma-separated): tpe, gp, random.")
    var samplers = "tpe,gp,random"

    @Option(help: "Seeds 1...N.")
    var seeds = 20

    @Option(help: "Trials per study.")
    var trials = 50

    @Option(help: "Instead: time per trial of each sampler once the study holds this many finished trials.")
    var overhead: Int?

    func validate() throws {
        guard seeds >= 1, trials >= 1 else { throw ValidationError("--seeds and --trials: expected positive integers") }
        for name in functions.split(separator: ",") where TestFunction.named(String(name)) == nil {
            throw ValidationError("--functions: unknown function \(name); expected branin, hartmann6, rosenbrock10 or conditional")
        }
        for name in samplers.split(separator: ",") where SamplerKind(rawValue: String(name)) == nil {
            throw ValidationError("--samplers: unknown sampler \(name); expected tpe, gp, random or grid")
        }
    }

    func run() throws {
        let kinds = samplers.split(separator: ",").compactMap { SamplerKind(rawValue: String($0)) }
        let chosen = functions.split(separator: ",").compactMap { TestFunction.named(String($0)) }
        if let overhead {
            for kind in kinds { try measureOverhead(kind, finished: overhead) }
            return
        }
        for function in chosen {
            for kind in kinds {
                for seed in 1...seeds {
                    let start = Date()
                    let study = try Study(name: "bench", space: function.space, storage: InMemoryStorage(), sampler: kind.make(seed: UInt64(seed)))
                    try study.optimize(trials: trials) { try function.evaluate($0.params) }
                    let best = try study.bestTrial()?.value ?? .nan
                    print(#"{"side": "lepton", "function": "\#(function.name)", "sampler": "\#(kind.rawValue)", "seed": \#(seed), "best": \#(best), "seconds": \#(Date().timeIntervalSince(start))}"#)
                    fflush(stdout)
                }
            }
        }
    }

    /// Fills a study with `finished` random trials of Branin, then times 20 more with `kind`.
    private func measureOverhead(_ kind: SamplerKind, finished: Int) throws {
        let function = TestFunction.branin
        let storage = InMemoryStorage()
        let filler = try Study(name: "o", space: function.space, storage: storage, sampler: RandomSampler(seed: 1))
        try filler.optimize(trials: finished) { try function.evaluate($0.params) }
        let study = try Study(name: "o", space: function.space, storage: storage, sampler: kind.make(seed: 2))
        let timed = 20
        let start = Date()
        try study.optimize(trials: timed) { try function.evaluate($0.params) }
        let ms = Date().timeIntervalSince(start) / Double(timed) * 1000
        print(#"{"side": "lepton", "overhead_sampler": "\#(kind.rawValue)", "finished": \#(finished), "ms_per_trial": \#(ms)}"#)
        fflush(stdout)
    }
}

/// The benchmark's test functions (minimised), the same as `python/tune_bench.py`'s.
struct TestFunction {
    let name: String
    let space: SearchSpace
    let evaluate: ([String: ConfigValue]) throws -> Double

    static func named(_ name: String) -> TestFunction? {
        [branin, hartmann6, rosenbrock10, conditional].first { $0.name == name }
    }

    static func number(_ params: [String: ConfigValue], _ name: String) throws -> Double {
        guard let v = params[name]?.number else { throw TuneError("missing \(name)") }
        return v
    }

    /// Branin on [-5, 10] × [0, 15]; minimum 0.397887.
    static let branin = TestFunction(name: "branin", space: try! SearchSpace { hp in
        hp.float("x", -5, 10)
        hp.float("y", 0, 15)
    }) { p in
        let x = try number(p, "x"), y = try number(p, "y")
        let b = 5.1 / (4 * Double.pi * Double.pi), c = 5 / Double.pi, t = 1 / (8 * Double.pi)
        return pow(y - b * x * x + c * x - 6, 2) + 10 * (1 - t) * cos(x) + 10
    }

    /// Hartmann-6 on [0, 1]^6; minimum -3.32237.
    static let hartmann6 = TestFunction(name: "hartmann6", space: try! SearchSpace { hp in
        for i in 0..<6 { hp.float("x\(i)", 0, 1) }
    }) { p in
        let alpha = [1.0, 1.2, 3.0, 3.2]
        let a: [[Double]] = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
        let q: [[Double]] = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
                             [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
        let x = try (0..<6).map { try number(p, "x\($0)") }
        var sum = 0.0
        for i in 0..<4 {
            var inner = 0.0
            for j in 0..<6 { inner += a[i][j] * pow(x[j] - q[i][j] * 1e-4, 2) }
            sum += alpha[i] * exp(-inner)
        }
        return -sum
    }

    /// Rosenbrock in 10 dimensions on [-5, 10]^10; minimum 0.
    static let rosenbrock10 = TestFunction(name: "rosenbrock10", space: try! SearchSpace { hp in
        for i in 0..<10 { hp.float("x\(i)", -5, 10) }
    }) { p in
        let x = try (0..<10).map { try number(p, "x\($0)") }
        var sum = 0.0
        for i in 0..<9 {
            let a: Double = x[i + 1] - x[i] * x[i], b: Double = 1 - x[i]
            sum += 100 * a * a + b * b
        }
        return sum
    }

    /// A categorical + conditional synthetic: a choice of branch, a shared x, and one
    /// parameter that exists only in its branch. Minimum 0 (quadratic, x = 1, a = 10^0.5).
    static let conditional = TestFunction(name: "conditional", space: try! SearchSpace { hp in
        hp.choice("kind", ["quadratic", "sine", "abs"])
        hp.float("x", -5, 5)
        hp.float("a", 0.1, 10, log: true, when: "kind", is: ["quadratic"])
        hp.int("n", 1, 8, when: "kind", is: ["sine"])
        hp.float("b", -3, 3, when: "kind", is: ["abs"])
    }) { p in
        let x = try number(p, "x")
        switch p["kind"] {
        case "quadratic": return pow(x - 1, 2) + pow(log10(try number(p, "a")) - 0.5, 2)
        case "sine": return 0.5 + 0.1 * (try number(p, "n")) * abs(sin(x))
        default: return 1 + abs(x - (try number(p, "b")))
        }
    }
}
