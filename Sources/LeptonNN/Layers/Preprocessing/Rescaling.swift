import LeptonTensor

/// Multiplies its input by `scale` and adds `offset` (`keras.layers.Rescaling`): pixel values
/// 0–255 become 0–1 inside the model, so a saved, exported or served model takes the values its
/// data files hold. Integer inputs are converted to float32 first.
///
/// ```swift
/// let model = Sequential([Rescaling(scale: 1.0 / 255), Conv2D(filters: 32, kernelSize: [3, 3]), …])
/// ```
public final class Rescaling: Module {
    public let scale: Float
    public let offset: Float

    public init(scale: Float, offset: Float = 0) {
        self.scale = scale
        self.offset = offset
    }

    public override func forward(_ input: Tensor) -> Tensor {
        let x = input.dtype == .float32 ? input : input.cast(to: .float32)
        let scaled = scale == 1 ? x : x * scale
        return offset == 0 ? scaled : scaled + offset
    }
}

extension Rescaling: ConfigurableLayer {
    public static let typeName = "Rescaling"
    public static let configKeys = ["scale", "offset"]
    public convenience init(config c: ConfigReader) throws {
        let scale = try c.float("scale", default: 1), offset = try c.float("offset", default: 0)
        guard scale.isFinite, offset.isFinite else {
            throw ConfigError("\(c.path): scale and offset must be finite numbers, got \(scale) and \(offset)")
        }
        self.init(scale: scale, offset: offset)
    }
    public var config: [String: ConfigValue] { ["scale": .float(scale), "offset": .float(offset)] }
}
