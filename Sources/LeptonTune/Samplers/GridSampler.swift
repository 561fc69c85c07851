import LeptonNN
import LeptonTensor

/// Visits the grid of the space — every choice, every integer (thinned to `points` values)
/// and `points` floats per range, conditions respected — in a seeded shuffled order, skipping
/// points earlier trials (running ones included) already took. Once the grid is exhausted it
/// starts over.
public struct GridSampler: Sampler {
    public let seed: UInt64
    /// Values per float range (and at most per integer range).
    public let points: Int

    public init(seed: UInt64 = 0, points: Int = 5) {
        self.seed = seed
        self.points = max(points, 1)
    }

    public func sample(space: SearchSpace, trials: [FrozenTrial], direction: StudyDirection, number: Int) -> [String: ConfigValue] {
        var grid = Self.grid(space, points: points)
        var rng = RandomGenerator(seed: seed)
        grid.shuffle(using: &rng)
        let taken = trials.map(\.params)
        for point in grid where !taken.contains(point) { return point }
        return grid[number % grid.count]
    }

    /// Every point of the grid, parameters in order, inactive ones left out.
    static func grid(_ space: SearchSpace, points: Int) -> [[String: ConfigValue]] {
        var result: [[String: ConfigValue]] = [[:]]
        for parameter in space.parameters {
            let values = parameter.distribution.gridValues(points: points)
            result = result.flatMap { partial -> [[String: ConfigValue]] in
                guard space.isActive(parameter, given: partial) else { return [partial] }
                return values.map { value in partial.merging([parameter.name: value]) { $1 } }
            }
        }
        return result
    }
}
