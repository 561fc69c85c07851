import Foundation

/// An element-wise function of one tensor, with its scalar parameters.
public enum UnaryOp: Sendable, Equatable {
    case neg, abs, exp, log, sqrt, square, sigmoid, tanh, relu, gelu, geluTanh, softplus, sign
    /// `x · sigmoid(x)` (SiLU, swish with β = 1)
    case silu
    /// `x < 0 ? slope·x : x`
    case leakyRelu(Float)
    /// `x < 0 ? alpha·(eˣ − 1) : x`
    case elu(Float)
    /// `xᵖ`
    case pow(Float)
    /// `min(max(x, low), high)`
    case clamp(Float, Float)
    /// `scale·x + shift`
    case affine(Float, Float)
}

/// An element-wise function of two broadcast tensors. Comparisons give 1 or 0.
public enum BinaryOp: Sendable, Equatable {
    case add, sub, mul, div, pow, maximum, minimum
    case equal, notEqual, less, lessEqual, greater, greaterEqual
}

/// A reduction along one axis.
public enum ReduceOp: Sendable, Equatable {
    case sum, max, min
}

/// Scalar definitions of the element-wise ops, shared by every CPU-side backend.
public enum ScalarMath {
    @inline(__always)
    public static func apply(_ op: UnaryOp, _ x: Float) -> Float {
        switch op {
        case .neg: return -x
        case .abs: return Swift.abs(x)
        case .exp: return Foundation.exp(x)
        case .log: return Foundation.log(x)
        case .sqrt: return x.squareRoot()
        case .square: return x * x
        case .sigmoid: return sigmoid(x)
        case .silu: return x * sigmoid(x)
        case .tanh: return Foundation.tanh(x)
        case .relu: return x > 0 ? x : 0
        // erfc and the sigmoid form keep full relative precision in the negative tail, where
        // 1 + erf(…) and 1 + tanh(…) cancel.
        case .gelu: return 0.5 * x * Foundation.erfc(-x * 0.70710678118654752)
        case .geluTanh:
            let u: Float = 0.7978845608028654 * (x + 0.044715 * x * x * x)
            return x * sigmoid(2 * u)
        case .softplus: return softplus(x)
        case .sign: return x > 0 ? 1 : (x < 0 ? -1 : 0)
        case .leakyRelu(let s): return x < 0 ? s * x : x
        case .elu(let a): return x < 0 ? a * Foundation.expm1(x) : x
        case .pow(let p): return Foundation.pow(x, p)
        case .clamp(let lo, let hi): return Swift.min(Swift.max(x, lo), hi)
        case .affine(let s, let t): return s * x + t
        }
    }

    /// `op′(x)`, given `y = op(x)`.
    @inline(__always)
    public static func derivative(_ op: UnaryOp, _ x: Float, _ y: Float) -> Float {
        switch op {
        case .neg: return -1
        case .abs: return x > 0 ? 1 : (x < 0 ? -1 : 0)
        case .exp: return y
        case .log: return 1 / x
        case .sqrt: return 0.5 / y
        case .square: return 2 * x
        case .sigmoid: return y * (1 - y)
        case .silu:
            let s = sigmoid(x)
            return s + x * s * (1 - s)
        case .tanh: return 1 - y * y
        case .relu: return x > 0 ? 1 : 0
        case .gelu:
            let cdf = 0.5 * (1 + Foundation.erf(x * 0.70710678118654752))
            let pdf = Foundation.exp(-0.5 * x * x) * 0.3989422804014327
            return cdf + x * pdf
        case .geluTanh:
            let k: Float = 0.7978845608028654
            let u = k * (x + 0.044715 * x * x * x)
            let t = Foundation.tanh(u)
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)
        case .softplus: return x > 20 ? 1 : sigmoid(x)
        case .sign: return 0
        case .leakyRelu(let s): return x < 0 ? s : 1
        case .elu(let a): return x < 0 ? y + a : 1
        case .pow(let p): return p == 0 ? 0 : p * Foundation.pow(x, p - 1)
        case .clamp(let lo, let hi): return (x >= lo && x <= hi) ? 1 : 0
        case .affine(let s, _): return s
        }
    }

    @inline(__always)
    public static func apply(_ op: BinaryOp, _ a: Float, _ b: Float) -> Float {
        switch op {
        case .add: return a + b
        case .sub: return a - b
        case .mul: return a * b
        case .div: return a / b
        case .pow: return Foundation.pow(a, b)
        case .maximum: return a.isNaN || b.isNaN ? .nan : Swift.max(a, b)
        case .minimum: return a.isNaN || b.isNaN ? .nan : Swift.min(a, b)
        case .equal: return a == b ? 1 : 0
        case .notEqual: return a != b ? 1 : 0
        case .less: return a < b ? 1 : 0
        case .lessEqual: return a <= b ? 1 : 0
        case .greater: return a > b ? 1 : 0
        case .greaterEqual: return a >= b ? 1 : 0
        }
    }

    @inline(__always)
    public static func sigmoid(_ x: Float) -> Float {
        if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
        let e = Foundation.exp(x)
        return e / (1 + e)
    }

    /// `log(1 + eˣ)`, linear above 20 as PyTorch's default threshold.
    @inline(__always)
    public static func softplus(_ x: Float) -> Float {
        x > 20 ? x : Foundation.log1p(Foundation.exp(x))
    }
}
