import Foundation
import LeptonNN
import LeptonTune
import Testing

/// TPE and the GP beat random search on simple functions within a small budget. Fixed seeds
/// make the test deterministic; the margins are wide enough that a working sampler passes
/// and a broken one (e.g. ignoring the history, or inverting the direction) fails.
@Suite struct SamplerQualityTests {
    /// Branin on [-5, 10] × [0, 15]; its minimum is 0.397887.
    static func branin(_ x: Double, _ y: Double) -> Double {
        let b = 5.1 / (4 * Double.pi * Double.pi), c = 5 / Double.pi, t = 1 / (8 * Double.pi)
        return pow(y - b * x * x + c * x - 6, 2) + 10 * (1 - t) * cos(x) + 10
    }

    static let space = try! SearchSpace { hp in
        hp.float("x", -5, 10)
        hp.float("y", 0, 15)
    }

    /// The median over `seeds` of the best value after `trials` trials.
    static func medianBest(_ make: (UInt64) -> any Sampler, trials: Int, seeds: ClosedRange<UInt64> = 1...7,
                           direction: StudyDirection = .minimize) throws -> Double {
        var bests: [Double] = []
        for seed in seeds {
            let study = try Study(name: "b", space: space, direction: direction, storage: InMemoryStorage(), sampler: make(seed))
            try study.optimize(trials: trials) { t in
                let v = branin(t.float("x")!, t.float("y")!)
                return direction == .minimize ? v : -v
            }
            let best = try #require(try study.bestTrial()?.value)
            bests.append(direction == .minimize ? best : -best)
        }
        return bests.sorted()[bests.count / 2]
    }

    @Test func tpeBeatsRandomOnBranin() throws {
        let random = try Self.medianBest({ RandomSampler(seed: $0) }, trials: 40)
        let tpe = try Self.medianBest({ TPESampler(seed: $0) }, trials: 40)
        let independent = try Self.medianBest({ TPESampler(seed: $0, multivariate: false) }, trials: 40)
        #expect(tpe < random * 0.8, "TPE \(tpe) vs random \(random)")
        #expect(independent < random * 0.8, "independent TPE \(independent) vs random \(random)")
        // Maximising the negated function must work as well as minimising it.
        let maximised = try Self.medianBest({ TPESampler(seed: $0) }, trials: 40, direction: .maximize)
        #expect(maximised < random * 0.8, "TPE maximising \(maximised) vs random \(random)")
    }

    @Test func gaussianProcessBeatsRandomOnBranin() throws {
        let random = try Self.medianBest({ RandomSampler(seed: $0) }, trials: 25, seeds: 1...5)
        let gp = try Self.medianBest({ GPSampler(seed: $0) }, trials: 25, seeds: 1...5)
        #expect(gp < 0.6, "GP \(gp) (the minimum is 0.398)")
        #expect(gp < random * 0.5, "GP \(gp) vs random \(random)")
    }

    @Test(arguments: [true, false])
    func tpeLearnsWhichChoiceIsBest(multivariate: Bool) throws {
        let space = try SearchSpace { hp in
            hp.choice("kind", ["a", "b", "c", "d"])
            hp.float("x", 0, 1)
        }
        let study = try Study(name: "c", space: space, storage: InMemoryStorage(), sampler: TPESampler(seed: 5, multivariate: multivariate))
        try study.optimize(trials: 60) { t in (t.string("kind") == "c" ? 0 : 1) + abs(t.float("x")! - 0.3) }
        // Random search would pick "c" in a quarter of the last 30 trials (7.5, standard deviation 2.4).
        let late = try study.trials().suffix(30)
        #expect(late.filter { $0.params["kind"] == "c" }.count >= 13, "\(late.map { $0.params["kind"]! })")
    }
}
