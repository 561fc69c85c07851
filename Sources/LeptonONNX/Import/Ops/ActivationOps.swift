import Foundation
import LeptonTensor

/// Activation functions (`Relu`, `LeakyRelu`, `PRelu`, `Sigmoid`, `Tanh`, `Softplus`,
/// `Softsign`, `Elu`, `Selu`, `Celu`, `ThresholdedRelu`, `HardSigmoid`, `HardSwish`, `Mish`,
/// `Gelu`, `Shrink`, `Swish`) and `Softmax`, `LogSoftmax`, `Hardmax`, composed from Lepton's
/// differentiable tensor ops.
extension ONNXOperators {
    static var activations: [String: ONNXKernelBuilder] {
        [
            "Relu": unary(float: { $0.relu() }, integer: { Swift.max($0, 0) },
                          types: ONNXElementType.floatingTypes.union(ONNXElementType.signedIntegerTypes)),
            "Sigmoid": unary(float: { $0.sigmoid() }),
            "Tanh": unary(float: { $0.tanh() }),
            "Softplus": unary(float: { $0.softplus() }),
            "Softsign": unary(float: { $0 / ($0.abs() + 1) }),
            "Mish": unary(float: { $0 * $0.softplus().tanh() }),
            "LeakyRelu": withFloat("alpha", 0.01) { x, alpha in x.leakyRelu(alpha) },
            "Elu": withFloat("alpha", 1) { x, alpha in x.elu(alpha) },
            "Celu": withFloat("alpha", 1) { x, alpha in (x * (1 / alpha)).elu(1) * alpha },
            "ThresholdedRelu": withFloat("alpha", 1) { x, alpha in x * x.greater(alpha) },
            "Swish": withFloat("alpha", 1) { x, alpha in x * (x * alpha).sigmoid() },
            "Selu": selu,
            "HardSigmoid": hardSigmoid,
            "HardSwish": unary(float: { $0 * ($0 * (1 / 6) + 0.5).clamp(min: 0, max: 1) }),
            "Gelu": gelu,
            "Shrink": shrink,
            "PRelu": prelu,
            "Softmax": softmax(.softmax),
            "LogSoftmax": softmax(.logSoftmax),
            "Hardmax": softmax(.hardmax),
        ]
    }

    /// A float activation with one `FLOAT` attribute.
    static func withFloat(_ name: String, _ defaultValue: Float,
                          _ f: @escaping (Tensor, Float) -> Tensor) -> ONNXKernelBuilder {
        { ctx in
            let value = try ctx.float(name, default: defaultValue)
            return try unary(float: { f($0, value) })(ctx)
        }
    }

    static let selu: ONNXKernelBuilder = { ctx in
        let alpha = try ctx.float("alpha", default: 1.67326319217681884765625)
        let gamma = try ctx.float("gamma", default: 1.05070102214813232421875)
        return try unary(float: { $0.elu(alpha) * gamma })(ctx)
    }

    static let hardSigmoid: ONNXKernelBuilder = { ctx in
        let alpha = try ctx.float("alpha", default: 0.2), beta = try ctx.float("beta", default: 0.5)
        return try unary(float: { ($0 * alpha + beta).clamp(min: 0, max: 1) })(ctx)
    }

    static let gelu: ONNXKernelBuilder = { ctx in
        let approximate = try ctx.choice("approximate", ["none", "tanh"]) == "tanh"
        return try unary(float: { $0.gelu(approximate: approximate) })(ctx)
    }

    static let shrink: ONNXKernelBuilder = { ctx in
        let bias = try ctx.float("bias", default: 0), lambd = try ctx.float("lambd", default: 0.5)
        return try unary(float: { x in
            let zero = Tensor(0)
            return Tensor.where(x.less(-lambd), x + bias, Tensor.where(x.greater(lambd), x - bias, zero))
        }, integer: { x in
            // Saturating: a bias of ±inf must not stop the process.
            func int64(_ v: Float) -> Int64 { v.isNaN ? 0 : Int64(Swift.max(Swift.min(Double(v.rounded(.towardZero)), 9.2e18), -9.2e18)) }
            return Float(x) < -lambd ? int64(Float(x) + bias) : (Float(x) > lambd ? int64(Float(x) - bias) : 0)
        }, types: ONNXElementType.numericTypes)(ctx)
    }

    /// `x < 0 ? slope·x : x`, the slope broadcasting to x.
    static let prelu: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...2)
        let type = try ctx.sameType([0, 1])
        try ctx.type(0, in: ONNXElementType.floatingTypes)
        return ONNXKernel(type) { inputs in
            let (x, slope) = (inputs[0]!, inputs[1]!)
            guard try broadcastShape([x.shape, slope.shape]) == x.shape else {
                throw ONNXError("slope shape \(slope.shape) does not broadcast to the input shape \(x.shape)")
            }
            return x.with(Tensor.where(x.tensor.less(0), x.tensor * slope.tensor, x.tensor))
        }
    }

    enum SoftmaxKind { case softmax, logSoftmax, hardmax }

    /// Softmax-like ops: before opset 13 the input is viewed as a matrix split at `axis`
    /// (default 1); from 13 on they act along one axis (default -1).
    static func softmax(_ kind: SoftmaxKind) -> ONNXKernelBuilder {
        { ctx in
            try ctx.expect(inputs: 1...1)
            let type = try ctx.type(0, in: ONNXElementType.floatingTypes)
            let coerced = ctx.opset < 13
            let axis = try ctx.int("axis", default: coerced ? 1 : -1)
            return ONNXKernel(type) { inputs in
                let x = inputs[0]!
                let a = try resolveAxis(axis, rank: x.rank, allowRankZero: coerced)
                var t = x.tensor
                var along = a
                if coerced {
                    let rows = Shape.count(Array(x.shape[..<a]))
                    t = t.reshape([rows, Shape.count(Array(x.shape[a...]))])
                    along = 1
                }
                let y: Tensor
                switch kind {
                case .softmax: y = t.softmax(axis: along)
                case .logSoftmax: y = t.logSoftmax(axis: along)
                case .hardmax:
                    if t.count == 0 { y = t; break }
                    y = Tensor.zeros(t.shape)
                    let index = t.argmax(axis: along, keepDims: true).int32Scalars
                    let inner = Shape.count(Array(t.shape[(along + 1)...])), n = t.shape[along]
                    for (k, i) in index.enumerated() {
                        let (outer, rest) = (k / inner, k % inner)
                        y.floats[(outer * n + Int(i)) * inner + rest] = 1
                    }
                }
                return x.with(y.reshape(x.shape))
            }
        }
    }
}

/// Resolves a possibly negative axis against `rank`.
/// - Throws: ``ONNXError`` when it lies outside `-rank..<rank`.
func resolveAxis(_ axis: Int, rank: Int, allowRankZero: Bool = false, extra: Int = 0) throws -> Int {
    let r = rank + extra
    let a = axis < 0 ? axis + r : axis
    guard a >= 0 && (a < r || (allowRankZero && a == r)) else {
        throw ONNXError("axis \(axis) is out of range for a tensor of rank \(rank)")
    }
    return a
}
