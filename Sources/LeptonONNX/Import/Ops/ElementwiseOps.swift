import Foundation
import LeptonTensor

/// Arithmetic with broadcasting (`Add`, `Sub`, `Mul`, `Div`, `Pow`, `Mod`, `Min`, `Max`, `Sum`,
/// `Mean`), element-wise math (`Abs`, `Neg`, `Exp`, `Log`, `Sqrt`, `Reciprocal`, `Floor`, `Ceil`,
/// `Round`, `Sign`, trigonometric and hyperbolic functions, `Erf`), `Clip`, `IsNaN`, `IsInf`.
/// Floating-point values go through Lepton's tensor ops (differentiable) where one exists;
/// integers are computed on the host with C semantics (wrapping, truncating division).
extension ONNXOperators {
    static var elementwise: [String: ONNXKernelBuilder] {
        var ops: [String: ONNXKernelBuilder] = [
            "Add": binary(float: { $0 + $1 }, integer: { $0 &+ $1 }),
            "Sub": binary(float: { $0 - $1 }, integer: { $0 &- $1 }),
            "Mul": binary(float: { $0 * $1 }, integer: { $0 &* $1 }),
            "Div": binary(float: { $0 / $1 }, integer: { b, c in c == 0 ? 0 : (b == .min && c == -1 ? b : b / c) }),
            "Max": variadic(float: { $0.maximum($1) }, integer: { Swift.max($0, $1) }),
            "Min": variadic(float: { $0.minimum($1) }, integer: { Swift.min($0, $1) }),
            "Sum": variadic(float: { $0 + $1 }, integer: { $0 &+ $1 }),
            "Mean": mean,
            "Pow": pow,
            "Mod": mod,
            "Clip": clip,
            "Abs": unary(float: { $0.abs() }, integer: { $0 < 0 ? 0 &- $0 : $0 }, types: ONNXElementType.numericTypes),
            "Neg": unary(float: { -$0 }, integer: { 0 &- $0 },
                         types: ONNXElementType.floatingTypes.union(ONNXElementType.signedIntegerTypes)),
            "Sign": unary(float: { $0.sign() }, integer: { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }, types: ONNXElementType.numericTypes),
            "Exp": unary(float: { $0.exp() }),
            "Log": unary(float: { $0.log() }),
            "Sqrt": unary(float: { $0.sqrt() }),
            "Reciprocal": unary(float: { 1 / $0 }),
            "Floor": hostUnary { $0.rounded(.down) },
            "Ceil": hostUnary { $0.rounded(.up) },
            "Round": hostUnary { $0.rounded(.toNearestOrEven) },
            "Erf": hostUnary { Foundation.erf($0) },
            "IsNaN": predicate { $0.isNaN },
            "IsInf": isInf,
        ]
        let functions: [(String, (Float) -> Float)] = [
            ("Sin", Foundation.sin), ("Cos", Foundation.cos), ("Tan", Foundation.tan), ("Asin", Foundation.asin),
            ("Acos", Foundation.acos), ("Atan", Foundation.atan), ("Sinh", Foundation.sinh), ("Cosh", Foundation.cosh),
            ("Asinh", Foundation.asinh), ("Acosh", Foundation.acosh), ("Atanh", Foundation.atanh),
        ]
        for (name, f) in functions { ops[name] = hostUnary(f) }
        return ops
    }

    /// A two-input broadcasting op over one numeric type.
    static func binary(float: @escaping (Tensor, Tensor) -> Tensor,
                       integer: @escaping (Int64, Int64) -> Int64) -> ONNXKernelBuilder {
        { ctx in
            try ctx.expect(inputs: 2...2)
            let type = try ctx.sameType([0, 1])
            try ctx.type(0, in: ONNXElementType.numericTypes)
            return ONNXKernel(type) { inputs in
                let (a, b) = (inputs[0]!, inputs[1]!)
                _ = try broadcastShape([a.shape, b.shape])
                if type.isFloatingPoint { return a.with(float(a.tensor, b.tensor)) }
                return try HostMath.integers(a, b, as: type, integer)
            }
        }
    }

    /// A broadcasting op over one or more inputs of one type, folded left to right.
    static func variadic(float: @escaping (Tensor, Tensor) -> Tensor,
                         integer: @escaping (Int64, Int64) -> Int64) -> ONNXKernelBuilder {
        { ctx in
            try ctx.expect(inputs: 1...Int.max)
            let type = try ctx.sameType(Array(0..<ctx.inputTypes.count))
            try ctx.type(0, in: ONNXElementType.numericTypes)
            return ONNXKernel(type) { inputs in
                let values = inputs.compactMap { $0 }
                _ = try broadcastShape(values.map(\.shape))
                var result = values[0]
                if values.count == 1 { return result.with(result.tensor.detach().copy()) }
                for next in values.dropFirst() {
                    result = type.isFloatingPoint ? result.with(float(result.tensor, next.tensor))
                        : try HostMath.integers(result, next, as: type, integer)
                }
                return result
            }
        }
    }

    static let mean: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...Int.max)
        let type = try ctx.sameType(Array(0..<ctx.inputTypes.count))
        try ctx.type(0, in: ONNXElementType.floatingTypes)
        return ONNXKernel(type) { inputs in
            let values = inputs.compactMap { $0 }
            _ = try broadcastShape(values.map(\.shape))
            let sum = values.dropFirst().reduce(values[0].tensor) { $0 + $1.tensor }
            return values[0].with(sum * (1 / Float(values.count)))
        }
    }

    /// `base ** exponent`; the exponent may be of another numeric type; the result has the base's type.
    static let pow: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...2)
        let type = try ctx.type(0, in: ONNXElementType.numericTypes)
        try ctx.type(1, in: ONNXElementType.numericTypes)
        return ONNXKernel(type) { inputs in
            let (a, b) = (inputs[0]!, inputs[1]!)
            _ = try broadcastShape([a.shape, b.shape])
            if type.isFloatingPoint { return a.with(a.tensor.pow(b.floatTensor)) }
            let exponent = b.isFloating ? b : ONNXValue(b.floatTensor, elementType: .float)
            let shape = try broadcastShape([a.shape, b.shape])
            let (oa, ob) = (broadcastOffsets(a.shape, to: shape), broadcastOffsets(b.shape, to: shape))
            let (pa, pb) = (a.tensor.int32s, exponent.tensor.floats)
            let out = Tensor(uninitializedShape: shape, dtype: .int32)
            for i in 0..<out.count {
                let v = Foundation.pow(Double(pa[oa[i]]), Double(pb[ob[i]]))
                out.int32s[i] = type.store(v.isFinite ? Int64(max(min(v.rounded(.towardZero), 9.2e18), -9.2e18)) : 0)
            }
            return ONNXValue(out, elementType: type)
        }
    }

    /// `Mod`: with `fmod` 0 the result takes the divisor's sign (integers only), with 1 the dividend's.
    static let mod: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...2)
        let type = try ctx.sameType([0, 1])
        try ctx.type(0, in: ONNXElementType.numericTypes)
        let fmod = try ctx.int("fmod", default: 0, in: 0...1)
        if type.isFloatingPoint && fmod == 0 { throw ctx.error("fmod 0 is only defined for integers; floating-point Mod needs fmod 1") }
        return ONNXKernel(type) { inputs in
            let (a, b) = (inputs[0]!, inputs[1]!)
            if type.isFloatingPoint {
                let shape = try broadcastShape([a.shape, b.shape])
                let (oa, ob) = (broadcastOffsets(a.shape, to: shape), broadcastOffsets(b.shape, to: shape))
                let (pa, pb) = (a.tensor.floats, b.tensor.floats)
                let out = Tensor(uninitializedShape: shape)
                for i in 0..<out.count { out.floats[i] = Foundation.fmod(pa[oa[i]], pb[ob[i]]) }
                return a.with(out)
            }
            return try HostMath.integers(a, b, as: type) { x, y in
                guard y != 0 else { return 0 }
                let r = x % y
                return fmod == 0 && r != 0 && ((r < 0) != (y < 0)) ? r + y : r
            }
        }
    }

    /// `Clip`: bounds as attributes (opset < 11) or optional scalar inputs.
    static let clip: ONNXKernelBuilder = { ctx in
        let type: ONNXElementType
        var attributeBounds: (Float, Float)?
        if ctx.opset < 11 {
            try ctx.expect(inputs: 1...1)
            type = try ctx.type(0, in: ONNXElementType.floatingTypes)
            attributeBounds = (try ctx.float("min", default: -.greatestFiniteMagnitude),
                               try ctx.float("max", default: .greatestFiniteMagnitude))
        } else {
            try ctx.expect(inputs: 1...3)
            type = try ctx.sameType([0, 1, 2])
            try ctx.type(0, in: ONNXElementType.numericTypes)
        }
        return ONNXKernel(type) { inputs in
            let x = inputs[0]!
            func bound(_ i: Int) throws -> ONNXValue? {
                guard i < inputs.count, let v = inputs[i] else { return nil }
                guard v.count == 1 else { throw ONNXError("input \(i) (a bound) has shape \(v.shape), expected a scalar") }
                return v
            }
            if type.isFloatingPoint {
                let (low, high) = try attributeBounds ?? (bound(1)?.floats[0] ?? -.infinity, bound(2)?.floats[0] ?? .infinity)
                if low.isNaN || high.isNaN { return HostMath.floats(x) { _ in .nan } }
                return x.with(x.tensor.clamp(min: low, max: high))
            }
            let low = try bound(1).map { Int64($0.ints[0]) } ?? .min, high = try bound(2).map { Int64($0.ints[0]) } ?? .max
            return HostMath.integers(x, as: type) { Swift.min(Swift.max($0, low), high) }
        }
    }

    /// A one-input op: a Lepton tensor op for floats, a host function for integers (when given).
    static func unary(float: @escaping (Tensor) -> Tensor, integer: ((Int64) -> Int64)? = nil,
                      types: Set<ONNXElementType> = ONNXElementType.floatingTypes) -> ONNXKernelBuilder {
        { ctx in
            try ctx.expect(inputs: 1...1)
            let type = try ctx.type(0, in: integer == nil ? ONNXElementType.floatingTypes : types)
            return ONNXKernel(type) { inputs in
                let x = inputs[0]!
                if type.isFloatingPoint { return x.with(float(x.tensor)) }
                return HostMath.integers(x, as: type, integer!)
            }
        }
    }

    /// A one-input float function computed on the host (no gradient).
    static func hostUnary(_ f: @escaping (Float) -> Float) -> ONNXKernelBuilder {
        { ctx in
            try ctx.expect(inputs: 1...1)
            let type = try ctx.type(0, in: ONNXElementType.floatingTypes)
            return ONNXKernel(type) { HostMath.floats($0[0]!, f) }
        }
    }

    /// A float predicate giving BOOL.
    static func predicate(_ f: @escaping (Float) -> Bool) -> ONNXKernelBuilder {
        { ctx in
            try ctx.expect(inputs: 1...1)
            try ctx.type(0, in: ONNXElementType.floatingTypes)
            return ONNXKernel(.bool) { inputs in
                let x = inputs[0]!
                return .bools(x.tensor.scalars.map(f), shape: x.shape)
            }
        }
    }

    static let isInf: ONNXKernelBuilder = { ctx in
        let negative = try ctx.int("detect_negative", default: 1) != 0, positive = try ctx.int("detect_positive", default: 1) != 0
        return try predicate { $0.isInfinite && ($0 > 0 ? positive : negative) }(ctx)
    }
}
