/// Element-wise functions of one tensor and their gradients.
extension Tensor {
    /// Applies a unary kernel and records its derivative (computed by the backend from x and y).
    func unary(_ op: UnaryOp, name: String) -> Tensor {
        require(dtype == .float32, name, "expected a float32 tensor, got \(dtype) \(shape)")
        let out = Tensor(uninitializedShape: shape, backend: backend)
        backend.unary(op, floats, out.floats, count: count)
        let x = self, y = out.detach()
        return Tensor.record(name, out, inputs: [x]) { g in
            let dx = Tensor(uninitializedShape: x.shape, backend: x.backend)
            x.backend.unaryBackward(op, x: x.floats, y: y.floats, dy: g.floats, dx: dx.floats, count: x.count)
            return [dx]
        }
    }

    /// `|x|`.
    public func abs() -> Tensor { unary(.abs, name: "abs") }
    /// `eˣ`.
    public func exp() -> Tensor { unary(.exp, name: "exp") }
    /// Natural logarithm.
    public func log() -> Tensor { unary(.log, name: "log") }
    /// Square root.
    public func sqrt() -> Tensor { unary(.sqrt, name: "sqrt") }
    /// `x²`.
    public func square() -> Tensor { unary(.square, name: "square") }
    /// −1, 0 or 1 by the sign of x (zero gradient).
    public func sign() -> Tensor { unary(.sign, name: "sign") }
    /// `min(max(x, low), high)`; the gradient passes where `low ≤ x ≤ high`.
    public func clamp(min low: Float = -.infinity, max high: Float = .infinity) -> Tensor {
        unary(.clamp(low, high), name: "clamp")
    }
}

/// Activation functions.
extension Tensor {
    /// `max(x, 0)`.
    public func relu() -> Tensor { unary(.relu, name: "relu") }
    /// `x` for x ≥ 0, `slope·x` below.
    public func leakyRelu(_ slope: Float = 0.01) -> Tensor { unary(.leakyRelu(slope), name: "leakyRelu") }
    /// `x` for x ≥ 0, `alpha·(eˣ − 1)` below.
    public func elu(_ alpha: Float = 1) -> Tensor { unary(.elu(alpha), name: "elu") }
    /// Gaussian error linear unit, exact (`approximate: false`, erf) or with the tanh formula.
    public func gelu(approximate: Bool = false) -> Tensor {
        unary(approximate ? .geluTanh : .gelu, name: "gelu")
    }
    /// `1 / (1 + e⁻ˣ)`.
    public func sigmoid() -> Tensor { unary(.sigmoid, name: "sigmoid") }
    /// `x · sigmoid(x)` (SiLU; swish with β = 1), in one pass.
    public func silu() -> Tensor { unary(.silu, name: "silu") }
    /// Hyperbolic tangent.
    public func tanh() -> Tensor { unary(.tanh, name: "tanh") }
    /// `log(1 + eˣ)` (linear above 20, as PyTorch).
    public func softplus() -> Tensor { unary(.softplus, name: "softplus") }
}
