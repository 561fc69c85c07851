import LeptonTensor

/// The shape and element type of a tensor that does not exist yet: what flows through
/// ``ShapeCheck`` when a model's layers are checked against its input before anything is built.
public struct TensorSpec: Equatable, Sendable, CustomStringConvertible {
    /// Every axis, the batch axis first.
    public var shape: [Int]
    /// The element type.
    public var dtype: DType

    /// A tensor of `shape` (batch axis first) and `dtype`.
    public init(shape: [Int], dtype: DType = .float32) {
        self.shape = shape
        self.dtype = dtype
    }

    /// The number of axes.
    public var rank: Int { shape.count }

    /// `"float32 [1, 28, 28, 1]"`.
    public var description: String { "\(dtype.rawValue) \(shape)" }

    /// The same element type with another shape.
    public func with(shape: [Int]) -> TensorSpec { TensorSpec(shape: shape, dtype: dtype) }

    /// Throws unless the element type is `dtype`.
    public func require(_ dtype: DType) throws {
        guard self.dtype == dtype else { throw ConfigError("expected a \(dtype.rawValue) input, got \(self)") }
    }

    /// Throws unless the rank is one of `ranks`; `layout` describes the expected axes (`"[batch, time, features]"`).
    public func require(rank ranks: Int..., layout: String) throws {
        guard ranks.contains(rank) else { throw ConfigError("expected an input \(layout), got \(self)") }
    }
}

/// What a layer will do with an input of a given ``TensorSpec``: its output, and how many
/// parameters it will create on the first call (zero when its weights already exist).
public struct ShapeInference: Equatable, Sendable {
    /// The output's shape and element type.
    public var output: TensorSpec
    /// Parameters (and buffers) the layer builds lazily for this input.
    public var parametersBuilt: Int

    /// The layer outputs `output` and builds `parametersBuilt` parameters on its first call.
    public init(output: TensorSpec, parametersBuilt: Int = 0) {
        self.output = output
        self.parametersBuilt = parametersBuilt
    }
}
