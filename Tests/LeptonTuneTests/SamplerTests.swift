import Foundation
import LeptonNN
import LeptonTune
import Testing

/// Samplers are seeded: the same seed gives the same parameters, trial after trial.
@Suite struct SamplerTests {
    static let space = try! SearchSpace { hp in
        hp.float("x", -5, 10)
        hp.float("lr", 1e-4, 1e-1, log: true)
        hp.int("units", 16, 128, step: 16)
        hp.choice("kind", ["a", "b", "c"])
        hp.float("extra", 0, 1, when: "kind", is: ["c"])
    }

    /// A study of 25 trials of a simple function with `sampler`; the parameters of every trial.
    static func run(_ sampler: any Sampler, trials: Int = 25) throws -> [[String: ConfigValue]] {
        let study = try Study(name: "s", space: space, storage: InMemoryStorage(), sampler: sampler)
        try study.optimize(trials: trials) { trial in
            let x = trial.float("x")!, lr = trial.float("lr")!
            return (x - 2) * (x - 2) + pow(log10(lr) + 2, 2) + Double(trial.int("units")!) / 128 + (trial.string("kind") == "b" ? 0 : 1)
        }
        return try study.trials().map(\.params)
    }

    @Test(arguments: SamplerKind.allCases)
    func sameSeedGivesTheSameTrials(_ kind: SamplerKind) throws {
        let a = try Self.run(kind.make(seed: 11)), b = try Self.run(kind.make(seed: 11)), c = try Self.run(kind.make(seed: 12))
        #expect(a == b)
        #expect(a != c)
        for params in a {
            #expect(params["extra"] == nil || params["kind"] == "c")
            #expect(params.keys.count == (params["kind"] == "c" ? 5 : 4), "\(params)")
        }
    }

    @Test func gridVisitsEveryPointOnceBeforeRepeating() throws {
        let space = try SearchSpace { hp in
            hp.choice("a", ["x", "y"])
            hp.int("n", 1, 3)
            hp.float("f", 0, 1, when: "a", is: ["y"])
        }
        let study = try Study(name: "g", space: space, storage: InMemoryStorage(), sampler: GridSampler(seed: 3, points: 3))
        try study.optimize(trials: 13) { _ in 0 }
        let trials = try study.trials(), params = trials.map(\.params)
        // x: 3 points (n = 1, 2, 3); y: 3 × 3 = 9 points (f = 0, 0.5, 1): 12 distinct points, then a repeat.
        #expect(Set(trials.prefix(12).map(\.paramsDescription)).count == 12, "\(params)")
        #expect(trials.prefix(12).contains { $0.params == trials[12].params })
        #expect(params.filter { $0["a"] == "x" }.allSatisfy { $0["f"] == nil })
    }
}
