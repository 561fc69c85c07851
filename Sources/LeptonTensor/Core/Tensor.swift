/// An n-dimensional array of `float32`, `int32` or `int8` elements, row-major and contiguous,
/// that records the operations applied to it when it requires gradients.
///
/// Tensors are reference types, as in PyTorch: a tensor is a node of the dynamic graph, and
/// ``grad`` accumulates on it in place. Ops never modify their inputs.
///
/// ```swift
/// let w = Tensor.normal([3, 2], generator: RandomGenerator(seed: 0)).requiringGrad()
/// let x = Tensor([1, 2, 3], shape: [1, 3])
/// let loss = x.matmul(w).relu().sum()
/// loss.backward()
/// print(w.grad!.shape) // [3, 2]
/// ```
public final class Tensor: @unchecked Sendable {
    /// Size of each dimension; `[]` for a scalar.
    public let shape: [Int]
    /// Element type.
    public let dtype: DType
    /// The memory holding the elements (shared between a tensor and its reshapes).
    public let storage: Storage

    /// Whether operations on this tensor are recorded for ``backward(_:)``.
    public var requiresGrad: Bool
    /// The accumulated gradient of a leaf after ``backward(_:)``; nil until then.
    public var grad: Tensor?
    /// The operation that made this tensor, when it was recorded.
    var gradNode: GradNode?
    /// Where ``backward(_:retainGraph:onLeafGradient:)`` puts this leaf's gradient instead of a
    /// new tensor (see ``gradientDestination``); set with ``writeGradients(into:)``.
    public internal(set) var gradientDestination: Tensor?
    /// Whether a gradient rule of the current backward sweep already wrote into ``gradientDestination``.
    var gradientDestinationClaimed = false

    /// Wraps existing storage.
    init(shape: [Int], dtype: DType, storage: Storage, requiresGrad: Bool = false) {
        self.shape = shape
        self.dtype = dtype
        self.storage = storage
        self.requiresGrad = requiresGrad
    }

    /// A tensor of the given shape whose elements are not yet set, on `backend`
    /// (by default the current one, see ``Device``).
    public convenience init(uninitializedShape shape: [Int], dtype: DType = .float32,
                            backend: (any Backend)? = nil) {
        for d in shape { require(d >= 0, "Tensor", "shape \(shape) has a negative dimension") }
        let backend = backend ?? Device.current
        self.init(shape: shape, dtype: dtype,
                  storage: Storage(byteCount: Shape.count(shape) * dtype.byteSize, backend: backend))
    }

    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Number of elements.
    public var count: Int { Shape.count(shape) }
    /// The backend that holds this tensor's memory and runs ops on it.
    public var backend: any Backend { storage.backend }
    /// Whether this tensor was made by a recorded op (as opposed to a leaf).
    public var isLeaf: Bool { gradNode == nil }

    /// Pointer to the `float32` elements.
    public var floats: UnsafeMutablePointer<Float> {
        require(dtype == .float32, "floats", "tensor is \(dtype), expected float32")
        return storage.pointer.assumingMemoryBound(to: Float.self)
    }

    /// Pointer to the `int32` elements.
    public var int32s: UnsafeMutablePointer<Int32> {
        require(dtype == .int32, "int32s", "tensor is \(dtype), expected int32")
        return storage.pointer.assumingMemoryBound(to: Int32.self)
    }

    /// Pointer to the `int8` elements.
    public var int8s: UnsafeMutablePointer<Int8> {
        require(dtype == .int8, "int8s", "tensor is \(dtype), expected int8")
        return storage.pointer.assumingMemoryBound(to: Int8.self)
    }

    /// The elements as `Float` values, in row-major order (integers are converted).
    public var scalars: [Float] {
        let t = dtype == .float32 ? self : self.cast(to: .float32)
        return Array(UnsafeBufferPointer(start: t.floats, count: count))
    }

    /// The elements of an `int32` tensor (other types are converted, truncating toward zero).
    public var int32Scalars: [Int32] {
        let t = dtype == .int32 ? self : self.cast(to: .int32)
        return Array(UnsafeBufferPointer(start: t.int32s, count: count))
    }

    /// The value of a one-element tensor.
    public func item() -> Float {
        require(count == 1, "item", "tensor has shape \(shape) (\(count) elements), expected exactly one element")
        return scalars[0]
    }

    /// Marks this tensor as a leaf whose gradient ``backward(_:)`` accumulates; returns self.
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) -> Tensor {
        require(!flag || dtype == .float32, "requiringGrad", "only float32 tensors can require gradients, this one is \(dtype)")
        requiresGrad = flag
        return self
    }

    /// The same values, cut from the graph: no gradient flows through the result.
    public func detach() -> Tensor {
        Tensor(shape: shape, dtype: dtype, storage: storage)
    }

    /// A copy with its own memory, on the same backend.
    public func copy() -> Tensor {
        let out = Tensor(uninitializedShape: shape, dtype: dtype, backend: backend)
        out.storage.pointer.copyMemory(from: storage.pointer, byteCount: count * dtype.byteSize)
        return out
    }

    /// Copies `other`'s values into this tensor's memory, in place and outside the graph
    /// (for optimizer steps and loading weights). The shapes' element counts must match.
    public func assign(_ other: Tensor) {
        require(other.count == count && other.dtype == dtype, "assign",
                "cannot assign \(other.dtype) \(other.shape) into \(dtype) \(shape)")
        if other.storage === storage { return }
        storage.pointer.copyMemory(from: other.storage.pointer, byteCount: count * dtype.byteSize)
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let values = count <= 16 ? scalars.map { "\($0)" }.joined(separator: ", ")
            : scalars.prefix(8).map { "\($0)" }.joined(separator: ", ") + ", …"
        return "Tensor(shape: \(shape), dtype: \(dtype), [\(values)])"
    }
}
