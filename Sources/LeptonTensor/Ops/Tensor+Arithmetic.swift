/// Element-wise arithmetic with NumPy broadcasting, and the gradients of each op.
extension Tensor {
    /// Applies a broadcasting binary kernel, checking dtypes and shapes (no recording).
    func broadcastBinary(_ op: BinaryOp, _ other: Tensor, name: String) -> Tensor {
        require(dtype == .float32 && other.dtype == .float32, name,
                "expected float32 operands, got \(dtype) \(shape) and \(other.dtype) \(other.shape)")
        guard let outShape = Shape.broadcast(shape, other.shape) else {
            fatalError(TensorError(name, "shapes \(shape) and \(other.shape) do not broadcast "
                                   + "(each dimension must match or be 1)").description)
        }
        let out = Tensor(uninitializedShape: outShape, backend: backend)
        backend.binary(op, floats, aStrides: Shape.broadcastStrides(shape, to: outShape),
                       other.floats, bStrides: Shape.broadcastStrides(other.shape, to: outShape),
                       out.floats, shape: outShape)
        return out
    }

    /// Sums a broadcast gradient back down to `shape` (the gradient of broadcasting).
    public func sum(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let axes = Shape.reducedAxes(from: shape, to: target)
        return sum(axes: axes).reshape(target)
    }

    /// Element-wise sum with broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let out = a.broadcastBinary(.add, b, name: "add")
        return record("add", out, inputs: [a, b]) { g in
            [g.sum(toShape: a.shape), g.sum(toShape: b.shape)]
        }
    }

    /// Element-wise difference with broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let out = a.broadcastBinary(.sub, b, name: "sub")
        return record("sub", out, inputs: [a, b]) { g in
            [g.sum(toShape: a.shape), b.requiresGrad ? (-g).sum(toShape: b.shape) : nil]
        }
    }

    /// Element-wise product with broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let out = a.broadcastBinary(.mul, b, name: "mul")
        return record("mul", out, inputs: [a, b]) { g in
            [a.requiresGrad ? (g * b).sum(toShape: a.shape) : nil,
             b.requiresGrad ? (g * a).sum(toShape: b.shape) : nil]
        }
    }

    /// Element-wise quotient with broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let out = a.broadcastBinary(.div, b, name: "div")
        let y = out.detach()
        return record("div", out, inputs: [a, b]) { g in
            let ga = g / b
            return [a.requiresGrad ? ga.sum(toShape: a.shape) : nil,
                    b.requiresGrad ? (-(ga * y)).sum(toShape: b.shape) : nil]
        }
    }

    /// Element-wise negation.
    public static prefix func - (x: Tensor) -> Tensor { x.unary(.neg, name: "neg") }

    /// Adds a scalar.
    public static func + (a: Tensor, b: Float) -> Tensor { a.unary(.affine(1, b), name: "add") }
    /// Adds a scalar.
    public static func + (a: Float, b: Tensor) -> Tensor { b.unary(.affine(1, a), name: "add") }
    /// Subtracts a scalar.
    public static func - (a: Tensor, b: Float) -> Tensor { a.unary(.affine(1, -b), name: "sub") }
    /// Subtracts from a scalar.
    public static func - (a: Float, b: Tensor) -> Tensor { b.unary(.affine(-1, a), name: "sub") }
    /// Multiplies by a scalar.
    public static func * (a: Tensor, b: Float) -> Tensor { a.unary(.affine(b, 0), name: "mul") }
    /// Multiplies by a scalar.
    public static func * (a: Float, b: Tensor) -> Tensor { b.unary(.affine(a, 0), name: "mul") }
    /// Divides by a scalar.
    public static func / (a: Tensor, b: Float) -> Tensor { a / Tensor.scalar(b, like: a) }
    /// Divides a scalar by a tensor.
    public static func / (a: Float, b: Tensor) -> Tensor { Tensor.scalar(a, like: b) / b }

    /// `x ** exponent`, element-wise.
    public func pow(_ exponent: Float) -> Tensor { unary(.pow(exponent), name: "pow") }

    /// `x ** exponent`, element-wise with broadcasting; the gradient with respect to the
    /// exponent uses `log x` (NaN where x < 0, as in PyTorch).
    public func pow(_ exponent: Tensor) -> Tensor {
        let base = self
        let out = broadcastBinary(.pow, exponent, name: "pow")
        let y = out.detach()
        return Tensor.record("pow", out, inputs: [base, exponent]) { g in
            [base.requiresGrad ? (g * exponent * base.pow(exponent - 1)).sum(toShape: base.shape) : nil,
             exponent.requiresGrad ? (g * y * base.log()).sum(toShape: exponent.shape) : nil]
        }
    }

    /// Element-wise maximum with broadcasting; ties split the gradient evenly.
    public func maximum(_ other: Tensor) -> Tensor { extremum(other, op: .maximum, name: "maximum") }

    /// Element-wise minimum with broadcasting; ties split the gradient evenly.
    public func minimum(_ other: Tensor) -> Tensor { extremum(other, op: .minimum, name: "minimum") }

    private func extremum(_ other: Tensor, op: BinaryOp, name: String) -> Tensor {
        let a = self
        let out = broadcastBinary(op, other, name: name)
        return Tensor.record(name, out, inputs: [a, other]) { g in
            let wins = op == .maximum ? a.broadcastBinary(.greater, other, name: name)
                                      : a.broadcastBinary(.less, other, name: name)
            let ties = a.broadcastBinary(.equal, other, name: name)
            let share = wins + ties * 0.5
            return [a.requiresGrad ? (g * share).sum(toShape: a.shape) : nil,
                    other.requiresGrad ? (g * (1 - share)).sum(toShape: other.shape) : nil]
        }
    }

    /// A scalar tensor on the same backend as `other`.
    static func scalar(_ value: Float, like other: Tensor) -> Tensor {
        Tensor([value], shape: [], backend: other.backend)
    }
}
