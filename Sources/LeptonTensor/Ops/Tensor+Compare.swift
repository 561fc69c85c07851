/// Comparisons (giving float32 masks of 1 and 0, without gradient) and selection.
extension Tensor {
    /// `1` where `self == other` (broadcast), else `0`.
    public func equal(_ other: Tensor) -> Tensor { broadcastBinary(.equal, other, name: "equal") }
    /// `1` where `self != other`.
    public func notEqual(_ other: Tensor) -> Tensor { broadcastBinary(.notEqual, other, name: "notEqual") }
    /// `1` where `self < other`.
    public func less(_ other: Tensor) -> Tensor { broadcastBinary(.less, other, name: "less") }
    /// `1` where `self <= other`.
    public func lessEqual(_ other: Tensor) -> Tensor { broadcastBinary(.lessEqual, other, name: "lessEqual") }
    /// `1` where `self > other`.
    public func greater(_ other: Tensor) -> Tensor { broadcastBinary(.greater, other, name: "greater") }
    /// `1` where `self >= other`.
    public func greaterEqual(_ other: Tensor) -> Tensor { broadcastBinary(.greaterEqual, other, name: "greaterEqual") }

    /// `1` where `self == value`.
    public func equal(_ value: Float) -> Tensor { equal(.scalar(value, like: self)) }
    /// `1` where `self < value`.
    public func less(_ value: Float) -> Tensor { less(.scalar(value, like: self)) }
    /// `1` where `self > value`.
    public func greater(_ value: Float) -> Tensor { greater(.scalar(value, like: self)) }

    /// `condition ≠ 0 ? a : b`, element-wise with broadcasting of all three; gradients flow to
    /// `a` and `b` where each was chosen.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        require(condition.dtype == .float32 && a.dtype == .float32 && b.dtype == .float32, "where",
                "expected float32 tensors, got \(condition.dtype), \(a.dtype), \(b.dtype)")
        guard let ab = Shape.broadcast(a.shape, b.shape), let outShape = Shape.broadcast(condition.shape, ab) else {
            fatalError(TensorError("where", "shapes \(condition.shape), \(a.shape) and \(b.shape) do not broadcast").description)
        }
        let out = Tensor(uninitializedShape: outShape, backend: a.backend)
        a.backend.select(condition.floats, condStrides: Shape.broadcastStrides(condition.shape, to: outShape),
                         a.floats, aStrides: Shape.broadcastStrides(a.shape, to: outShape),
                         b.floats, bStrides: Shape.broadcastStrides(b.shape, to: outShape), out.floats, shape: outShape)
        return record("where", out, inputs: [a, b]) { g in
            let zero = Tensor.scalar(0, like: g)
            return [a.requiresGrad ? Tensor.where(condition, g, zero).sum(toShape: a.shape) : nil,
                    b.requiresGrad ? Tensor.where(condition, zero, g).sum(toShape: b.shape) : nil]
        }
    }
}
