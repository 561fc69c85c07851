import Foundation
import LeptonNN

/// The values one hyperparameter may take.
///
/// Samplers work on an *internal* number for each value: the value itself for a float or an
/// integer (its logarithm when `log` is set) and the index of the choice for a categorical one.
public enum ParameterDistribution: Sendable, Equatable, Codable {
    /// A real number in `low...high`, uniform or (with `log`) log-uniform.
    case float(low: Double, high: Double, log: Bool)
    /// An integer in `low...high` on the grid `low, low + step, …`, or log-uniform (`step` 1).
    case int(low: Int, high: Int, step: Int, log: Bool)
    /// One of a list of values (strings, numbers or booleans).
    case categorical([ConfigValue])

    /// Checks that the distribution can be sampled.
    /// - Throws: ``TuneError`` naming the parameter and what was expected.
    public func validate(name: String) throws {
        switch self {
        case let .float(low, high, log):
            guard low.isFinite, high.isFinite else {
                throw TuneError("\(name): expected finite bounds, got low \(low), high \(high)")
            }
            guard low < high else { throw TuneError("\(name): expected low < high, got low \(low), high \(high)") }
            if log, low <= 0 { throw TuneError("\(name): a log-scaled range needs low > 0, got low \(low)") }
        case let .int(low, high, step, log):
            guard low < high else { throw TuneError("\(name): expected low < high, got low \(low), high \(high)") }
            guard step >= 1 else { throw TuneError("\(name): expected a step ≥ 1, got \(step)") }
            if log, low <= 0 { throw TuneError("\(name): a log-scaled range needs low > 0, got low \(low)") }
            if log, step != 1 { throw TuneError("\(name): a log-scaled integer takes no step (got step \(step))") }
            guard (high - low) % step == 0 else {
                throw TuneError("\(name): high - low (\(high - low)) is not a multiple of step \(step)")
            }
        case let .categorical(choices):
            guard !choices.isEmpty else { throw TuneError("\(name): expected at least one choice, got an empty list") }
            for (i, choice) in choices.enumerated() {
                switch choice {
                case .array, .object, .null: throw TuneError("\(name): choice \(i) is \(choice); expected a string, number or boolean")
                default: break
                }
                if choices[..<i].contains(choice) { throw TuneError("\(name): choice \(choice) is listed twice") }
            }
        }
    }

    /// Whether the distribution is numeric (float or int).
    public var isNumeric: Bool {
        if case .categorical = self { return false }
        return true
    }

    /// The number of choices of a categorical distribution (0 otherwise).
    public var choiceCount: Int {
        if case let .categorical(choices) = self { return choices.count }
        return 0
    }

    /// The range of the internal number: log bounds for log scales; for an integer, the range
    /// widened by half a step on each side, so that every grid value owns an equal share.
    public var internalBounds: (low: Double, high: Double) {
        switch self {
        case let .float(low, high, log): return log ? (Foundation.log(low), Foundation.log(high)) : (low, high)
        case let .int(low, high, step, log):
            let half = Double(step) / 2
            return log ? (Foundation.log(Double(low) - 0.5), Foundation.log(Double(high) + 0.5))
                       : (Double(low) - half, Double(high) + half)
        case let .categorical(choices): return (0, Double(choices.count - 1))
        }
    }

    /// The internal number of `value`, or nil when `value` is not one the distribution holds.
    public func internalValue(of value: ConfigValue) -> Double? {
        switch self {
        case let .float(low, high, log):
            guard let x = value.number, x >= low, x <= high else { return nil }
            return log ? Foundation.log(x) : x
        case let .int(low, high, _, log):
            guard let x = value.number, x == x.rounded(), x >= Double(low), x <= Double(high) else { return nil }
            return log ? Foundation.log(x) : x
        case let .categorical(choices):
            return choices.firstIndex(of: value).map(Double.init) ?? choices.firstIndex { $0.number != nil && $0.number == value.number }.map(Double.init)
        }
    }

    /// The value an internal number stands for (rounded to the grid and clamped to the range).
    public func value(atInternal x: Double) -> ConfigValue {
        switch self {
        case let .float(low, high, log):
            let v = log ? exp(x) : x
            return .double(min(max(v, low), high))
        case let .int(low, high, step, log):
            let v = log ? exp(x) : x
            let k = ((v - Double(low)) / Double(step)).rounded()
            return .int(min(max(low + Int(k) * step, low), high))
        case let .categorical(choices):
            return choices[min(max(Int(x.rounded()), 0), choices.count - 1)]
        }
    }

    /// The value at position `u` ∈ [0, 1) of the distribution: for numbers, that fraction of
    /// the internal range (log scale for log scales); for choices, choice ⌊u · count⌋.
    public func value(atUnit u: Double) -> ConfigValue {
        let u = u.isFinite ? min(max(u, 0), 1) : 0.5
        if case let .categorical(choices) = self { return choices[min(Int(u * Double(choices.count)), choices.count - 1)] }
        let (low, high) = internalBounds
        return value(atInternal: low + u * (high - low))
    }

    /// A value drawn uniformly (log-uniformly for log scales).
    public func sample(using rng: inout some RandomNumberGenerator) -> ConfigValue {
        switch self {
        case let .categorical(choices): return choices[Int.random(in: 0..<choices.count, using: &rng)]
        default:
            let (low, high) = internalBounds
            return value(atInternal: Double.random(in: low..<high, using: &rng))
        }
    }

    /// The values a grid search visits: every choice, every integer on the grid (thinned to
    /// at most `points` evenly spread ones) and `points` evenly spread floats (log-spread for log scales).
    public func gridValues(points: Int) -> [ConfigValue] {
        switch self {
        case let .categorical(choices): return choices
        case let .int(low, high, step, log):
            let count = (high - low) / step + 1
            if count <= points, !log { return (0..<count).map { .int(low + $0 * step) } }
            var values: [ConfigValue] = []
            for i in 0..<points {
                let value = self.value(atInternal: evenlySpread(i, points, log: log, low: Double(low), high: Double(high)))
                if !values.contains(value) { values.append(value) }
            }
            return values
        case let .float(low, high, log):
            return (0..<points).map { .double(min(max(spread($0, points, log: log, low: low, high: high), low), high)) }
        }
    }

    private func evenlySpread(_ i: Int, _ n: Int, log: Bool, low: Double, high: Double) -> Double {
        let t = n == 1 ? 0.5 : Double(i) / Double(n - 1)
        return log ? Foundation.log(low) + t * (Foundation.log(high) - Foundation.log(low)) : low + t * (high - low)
    }

    private func spread(_ i: Int, _ n: Int, log: Bool, low: Double, high: Double) -> Double {
        let x = evenlySpread(i, n, log: log, low: low, high: high)
        return log ? exp(x) : x
    }

    /// The value as a number in [0, 1] across the internal range (for models of the objective).
    public func normalised(_ internalValue: Double) -> Double {
        let (low, high) = internalBounds
        return high > low ? (internalValue - low) / (high - low) : 0.5
    }
}

extension ConfigValue {
    /// The value as a number, when it is one.
    public var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
}
