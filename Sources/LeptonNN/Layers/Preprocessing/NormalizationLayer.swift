import LeptonTensor

/// Standardises its input with a mean and variance learnt from data (`keras.layers.Normalization`):
/// `(x - mean) / max(sqrt(variance), 1e-7)`. ``adapt(_:)`` computes them from training data; they
/// are buffers, so they are saved with the model and exported with it, and a served model takes
/// raw values.
///
/// ```swift
/// let norm = Normalization()          // one mean and variance per feature of the last axis
/// norm.adapt(trainImages)
/// let model = Sequential([norm, Flatten(), Dense(units: 10)])
/// ```
public final class Normalization: Module {
    /// The feature axis (-1: the last); nil: one mean and variance over all values.
    public let axis: Int?
    /// Per-feature statistics (`[features]`; `[1]` when ``axis`` is nil).
    public private(set) var mean: Tensor?
    public private(set) var variance: Tensor?
    /// Keras's floor on the standard deviation.
    public static let epsilon: Float = 1e-7

    public override var bufferNames: Set<String> { ["mean", "variance"] }

    /// - Parameters:
    ///   - axis: the feature axis, or nil for one statistic over all values.
    ///   - features: the number of features on `axis`, to create the statistics before ``adapt(_:)``
    ///     or loading (mean 0, variance 1).
    public init(axis: Int? = -1, features: Int? = nil) {
        self.axis = axis
        super.init()
        if let features { build(features: features) }
    }

    /// Given statistics (mean and variance per feature, or one of each when `axis` is nil).
    public convenience init(axis: Int? = -1, mean: [Float], variance: [Float]) {
        self.init(axis: axis)
        self.mean = Tensor(mean, shape: [mean.count])
        self.variance = Tensor(variance, shape: [variance.count])
    }

    /// Mean 0 and variance 1 for `features` features.
    public func build(features: Int) {
        mean = Tensor.zeros([axis == nil ? 1 : features])
        variance = Tensor.ones([axis == nil ? 1 : features])
    }

    /// Learns the mean and variance of `data` (samples along axis 0) over every axis but the
    /// feature axis (for data larger than memory, add batches to ``Moments`` and adapt to those).
    /// - Throws: ``ConfigError`` when the feature axis is out of range or `data` holds no samples.
    public func adapt(_ data: Tensor) throws {
        guard data.rank >= 1, data.count > 0 else { throw ConfigError("Normalization.adapt: expected samples, got shape \(data.shape)") }
        var moments = Moments(axis: axis)
        try moments.add(data)
        try adapt(moments)
    }

    func setStatistics(mean: Tensor, variance: Tensor) {
        self.mean = mean
        self.variance = variance
    }

    public override func forward(_ input: Tensor) -> Tensor {
        let x = input.dtype == .float32 ? input : input.cast(to: .float32)
        if mean == nil { build(features: axis.map { x.shape[$0 < 0 ? $0 + x.rank : $0] } ?? 1) }
        var statShape = [Int](repeating: 1, count: x.rank)
        if let axis, let mean {
            let a = axis < 0 ? axis + x.rank : axis
            layerRequire(a >= 0 && a < x.rank && x.shape[a] == mean.count,
                         "Normalization: input of shape \(x.shape) has no \(mean.count) features on axis \(axis)")
            statShape[a] = mean.count
        }
        let std = variance!.sqrt().maximum(Tensor(Self.epsilon)).reshape(statShape)
        return (x - mean!.reshape(statShape)) / std
    }
}

extension Normalization: ConfigurableLayer {
    public static let typeName = "Normalization"
    public static let configKeys = ["axis", "features"]
    public convenience init(config c: ConfigReader) throws {
        let axis: Int?
        switch c.raw("axis") {
        case nil, .null?: axis = c.raw("axis") == nil ? -1 : nil
        default: axis = try c.int("axis")
        }
        let features = try c.size("features")
        if let features { try c.checkWeights([[features], [features]], sizedBy: "features") }
        self.init(axis: axis, features: features)
    }
    public var config: [String: ConfigValue] {
        var c: [String: ConfigValue] = ["axis": axis.map { .int($0) } ?? .null]
        if let mean { c["features"] = .int(mean.count) }
        return c
    }
}
