import Foundation
import LeptonNN

/// How ``GPSampler`` turns parameters into numbers in [0, 1] and back.
///
/// A float or integer is its position in its range (in log space for log scales), a choice one
/// 0/1 number per option; a parameter that does not exist in a trial sits at 0.5 (numbers) or
/// all zeros (choices). For the acquisition's local search, floats and integers with more than
/// ``exhaustiveLimit`` values are continuous (integers rounded when decoded); choices and the
/// other integers are discrete, searched by trying every value.
struct Encoding {
    let space: SearchSpace
    /// Per parameter, its first dimension.
    let offsets: [Int]
    let dimensions: Int
    static let inactive = 0.5
    /// Integers with at most this many values are searched exhaustively (Optuna's 16).
    static let exhaustiveLimit = 16

    init(_ space: SearchSpace) {
        self.space = space
        var offsets: [Int] = [], next = 0
        for parameter in space.parameters {
            offsets.append(next)
            next += parameter.distribution.isNumeric ? 1 : parameter.distribution.choiceCount
        }
        self.offsets = offsets
        dimensions = next
    }

    var numericDimensions: [Int] {
        space.parameters.indices.filter { space.parameters[$0].distribution.isNumeric }.map { offsets[$0] }
    }

    /// The values of a discrete parameter (nil for a continuous one).
    func discreteValues(_ parameter: Parameter) -> [ConfigValue]? {
        switch parameter.distribution {
        case .float: return nil
        case let .categorical(choices): return choices
        case let .int(low, high, step, _):
            let count = (high - low) / step + 1
            return count <= Self.exhaustiveLimit ? (0..<count).map { .int(low + $0 * step) } : nil
        }
    }

    /// The parameters active at `x` (given the choices it encodes), by index.
    func activeParameters(_ x: [Double]) -> [Int] {
        let values = decode(x)
        return space.parameters.indices.filter { values[space.parameters[$0].name] != nil }
    }

    /// The continuous dimensions active at `x`.
    func continuousDimensions(_ x: [Double]) -> [Int] {
        activeParameters(x).filter { space.parameters[$0].distribution.isNumeric && discreteValues(space.parameters[$0]) == nil }.map { offsets[$0] }
    }

    /// `x` with parameter `index` set to `value`, then decoded and encoded again (which resets
    /// the parameters that no longer exist and places new ones at the middle of their range).
    func setting(_ x: [Double], parameter index: Int, to value: ConfigValue) -> [Double] {
        let parameter = space.parameters[index], offset = offsets[index]
        var moved = x
        guard let internalValue = parameter.distribution.internalValue(of: value) else { return x }
        if parameter.distribution.isNumeric {
            moved[offset] = parameter.distribution.normalised(internalValue)
        } else {
            for k in 0..<parameter.distribution.choiceCount { moved[offset + k] = k == Int(internalValue) ? 1 : 0 }
        }
        return snapped(moved)
    }

    /// `x` decoded and encoded again: integers on their grid, choices one-hot, parameters that
    /// do not exist at their inactive value.
    func snapped(_ x: [Double]) -> [Double] { encode(decode(x)) }

    func encode(_ params: [String: ConfigValue]) -> [Double] {
        var x = [Double](repeating: 0, count: dimensions)
        for (index, parameter) in space.parameters.enumerated() {
            let offset = offsets[index]
            let internalValue = params[parameter.name].flatMap { parameter.distribution.internalValue(of: $0) }
            if parameter.distribution.isNumeric {
                x[offset] = internalValue.map { parameter.distribution.normalised($0) } ?? Self.inactive
            } else if let choice = internalValue {
                x[offset + Int(choice)] = 1
            }
        }
        return x
    }

    func decode(_ x: [Double]) -> [String: ConfigValue] {
        space.complete([:]) { parameter in
            let index = space.parameters.firstIndex(of: parameter)!
            let offset = offsets[index]
            if parameter.distribution.isNumeric {
                let (low, high) = parameter.distribution.internalBounds
                return parameter.distribution.value(atInternal: low + min(max(x[offset], 0), 1) * (high - low))
            }
            let scores = x[offset..<(offset + parameter.distribution.choiceCount)]
            let choice = scores.indices.max { scores[$0] < scores[$1] }! - offset
            return parameter.distribution.value(atInternal: Double(choice))
        }
    }
}
