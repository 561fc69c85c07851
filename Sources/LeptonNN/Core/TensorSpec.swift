import LeptonTensor

/// The shape and element type of a tensor that does not exist yet: what flows through
/// ``ShapeCheck`` when a model's layers are checked against its input before anything is built.
public struct TensorSpec: Equatable, Sendable, CustomStringConvertible {
    /// Every axis, the batch axis first.
    public var shape: [Int]
    /// The element type.
    public var dtype: DType
    /// For int32 ids a layer made (``TextVectorization``): every value is below this bound, which
    /// the embedding after it must have rows for (nil: not known).
    public var idBound: Int? = nil

    /// A tensor of `shape` (batch axis first) and `dtype`.
    public init(shape: [Int], dtype: DType = .float32) {
        self.shape = shape
        self.dtype = dtype
    }

    /// The number of axes.
    public var rank: Int { shape.count }

    /// `"float32 [1, 28, 28, 1]"`.
    public var description: String { "\(dtype.rawValue) \(shape)" }

    /// The same element type (and ``idBound``) with another shape.
    public func with(shape: [Int]) -> TensorSpec {
        var spec = self
        spec.shape = shape
        return spec
    }

    /// Throws unless the ids are known to fit a table of `rows` rows (when ``idBound`` is known).
    /// - Parameter key: the setting that sized the table (`"input_dim"`), for the message.
    public func requireIDs(below rows: Int, key: String) throws {
        if let idBound, idBound > rows {
            throw ConfigError("the input's ids go up to \(idBound - 1) (a TextVectorization's vocabulary of \(idBound)); "
                              + "expected a table of at least \(idBound) rows, got \(rows) (\(key))")
        }
    }

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
