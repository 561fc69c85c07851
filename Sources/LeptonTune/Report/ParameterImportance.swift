import Foundation
import LeptonNN

/// How much of the spread of the objective each parameter accounts for, from the complete
/// trials: the correlation ratio η² (between-group variance over total variance) with the
/// trials grouped by the parameter's value — one group per choice, or quartiles of a number
/// (its internal value: log scale for log ranges). Normalised to sum to 1. A quick, marginal
/// measure in the spirit of fANOVA's first-order terms, without its random forest: it does not
/// see interactions, and with few trials it is noisy.
public enum ParameterImportance {
    /// Each parameter's share, by name (empty with fewer than 4 complete trials).
    public static func compute(space: SearchSpace, trials: [FrozenTrial]) -> [(name: String, importance: Double)] {
        let complete = trials.filter { $0.state == .complete && $0.value?.isFinite == true }
        guard complete.count >= 4 else { return [] }
        let raw = space.parameters.map { parameter -> (String, Double) in
            let pairs = complete.compactMap { trial -> (Double, Double)? in
                guard let x = trial.params[parameter.name].flatMap({ parameter.distribution.internalValue(of: $0) }) else { return nil }
                return (x, trial.value!)
            }
            return (parameter.name, correlationRatio(pairs, categorical: !parameter.distribution.isNumeric))
        }
        let total = raw.reduce(0) { $0 + $1.1 }
        return raw.map { ($0.0, total > 0 ? $0.1 / total : 0) }.sorted { $0.1 > $1.1 }
    }

    /// η² of the values `y` grouped by `x` (equal values for choices, quartile bins for numbers).
    static func correlationRatio(_ pairs: [(x: Double, y: Double)], categorical: Bool) -> Double {
        guard pairs.count >= 2 else { return 0 }
        let mean = pairs.reduce(0) { $0 + $1.y } / Double(pairs.count)
        let total = pairs.reduce(0) { $0 + ($1.y - mean) * ($1.y - mean) }
        guard total > 0 else { return 0 }
        var groups: [Int: [Double]] = [:]
        if categorical {
            for (x, y) in pairs { groups[Int(x), default: []].append(y) }
        } else {
            let sorted = pairs.sorted { $0.x < $1.x }
            let bins = min(4, sorted.count)
            for (rank, pair) in sorted.enumerated() { groups[rank * bins / sorted.count, default: []].append(pair.y) }
        }
        let between = groups.values.reduce(0) { sum, ys in
            let m = ys.reduce(0, +) / Double(ys.count)
            return sum + Double(ys.count) * (m - mean) * (m - mean)
        }
        return between / total
    }
}
