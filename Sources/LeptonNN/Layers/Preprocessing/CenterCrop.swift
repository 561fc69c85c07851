import LeptonTensor

/// Crops the centre `height × width` of channels-last images `[batch, height, width, channels]`
/// (`keras.layers.CenterCrop`): the crop starts `(inputHeight − height) / 2` rows and
/// `(inputWidth − width) / 2` columns in, rounded down as Keras does. Integer inputs are converted
/// to float32 first.
///
/// Images smaller than the crop are refused (Keras resizes them first; put a ``Resizing`` before
/// this layer for that), when a model file is checked and when the layer is built.
///
/// ```swift
/// let model = Sequential([Resizing(height: 32, width: 32), CenterCrop(height: 28, width: 28), …])
/// ```
public final class CenterCrop: Module {
    /// The crop's rows.
    public let height: Int
    /// The crop's columns.
    public let width: Int

    /// - Throws: ``ConfigError`` for a size below 1.
    public init(height: Int, width: Int) throws {
        guard height >= 1, width >= 1 else { throw ConfigError("CenterCrop: expected a positive height and width, got \(height)×\(width)") }
        self.height = height
        self.width = width
    }

    /// The first row and column of the crop of an `inputHeight × inputWidth` image.
    public func offsets(inputHeight: Int, inputWidth: Int) -> (top: Int, left: Int) {
        ((inputHeight - height) / 2, (inputWidth - width) / 2)
    }

    public override func forward(_ input: Tensor) -> Tensor {
        layerRequire(input.rank == 4 && input.shape[1] >= height && input.shape[2] >= width,
                     "CenterCrop: expected images [batch, height ≥ \(height), width ≥ \(width), channels], got \(input.shape)")
        let x = input.dtype == .float32 ? input : input.cast(to: .float32)
        let (top, left) = offsets(inputHeight: x.shape[1], inputWidth: x.shape[2])
        if top == 0 && left == 0 && x.shape[1] == height && x.shape[2] == width { return x }
        return x.slice(axis: 1, start: top, end: top + height).slice(axis: 2, start: left, end: left + width)
    }
}

extension CenterCrop: ConfigurableLayer {
    public static let typeName = "CenterCrop"
    public static let configKeys = ["height", "width"]
    public convenience init(config c: ConfigReader) throws {
        try self.init(height: try c.requiredSize("height"), width: try c.requiredSize("width"))
    }
    public var config: [String: ConfigValue] { ["height": .int(height), "width": .int(width)] }
}
