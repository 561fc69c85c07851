import LeptonTensor

/// Resizes channels-last images `[batch, height, width, channels]` to `height × width`
/// (`keras.layers.Resizing`), so a saved, exported or served model takes images of the size
/// its files hold. Integer inputs are converted to float32 first.
///
/// The sampling is onnxruntime's `Resize` with `coordinate_transformation_mode = half_pixel`,
/// computed in float32 as it does, so an exported model gives the same values: output pixel `y`
/// looks at input position `(y + 0.5) / scale − 0.5` with `scale = Float(out) / Float(in)`.
/// - `bilinear`: the two nearest rows and columns, weighted by distance, the position clamped to
///   the image (no antialiasing when shrinking, as TensorFlow's default and `ImageDecoder.resized`).
///   This is the geometry of `ImageDecoder.resized`, which the image-folder reader and
///   `lepton predict` use on files; that one works in doubles and rounds to bytes, so the two
///   differ by at most half a grey level.
/// - `nearest`: the input pixel whose centre is nearest, ties to the later one (onnxruntime's
///   `round_prefer_ceil`, which is TensorFlow's `floor((y + 0.5) · in / out)`).
///
/// The output is built from differentiable gathers, so the layer may sit inside a recorded graph.
///
/// ```swift
/// let model = Sequential([Resizing(height: 24, width: 24), Rescaling(scale: 1.0 / 255), Conv2D(filters: 8, kernelSize: [3, 3])])
/// ```
public final class Resizing: Module {
    /// How output pixels are computed from input pixels.
    public enum Interpolation: String, CaseIterable, Sendable { case bilinear, nearest }

    /// The output's rows.
    public let height: Int
    /// The output's columns.
    public let width: Int
    /// Bilinear (default) or nearest-neighbour sampling.
    public let interpolation: Interpolation

    /// - Throws: ``ConfigError`` for a size below 1.
    public init(height: Int, width: Int, interpolation: Interpolation = .bilinear) throws {
        guard height >= 1, width >= 1 else { throw ConfigError("Resizing: expected a positive height and width, got \(height)×\(width)") }
        self.height = height
        self.width = width
        self.interpolation = interpolation
    }

    /// The two input rows (or columns) each output row reads and their weights (onnxruntime's
    /// `dx2`, `dx1`: the distance to the other one; ½ each when the position is clamped to an edge).
    public static func taps(input: Int, output: Int, interpolation: Interpolation)
        -> (first: [Int32], second: [Int32], firstWeight: [Float], secondWeight: [Float]) {
        let scale = Float(output) / Float(input), last = Float(input - 1)
        var first: [Int32] = [], second: [Int32] = [], firstWeight: [Float] = [], secondWeight: [Float] = []
        for y in 0..<output {
            let position = (Float(y) + 0.5) / scale - 0.5
            switch interpolation {
            case .bilinear:
                let clamped = Swift.min(Swift.max(position, 0), last)
                let low = Swift.min(Int(clamped), input - 1), high = Swift.min(low + 1, input - 1)
                first.append(Int32(low)); second.append(Int32(high))
                firstWeight.append(low == high ? 0.5 : abs(clamped - Float(high)))
                secondWeight.append(low == high ? 0.5 : abs(clamped - Float(low)))
            case .nearest:
                let nearest = Swift.min(Swift.max(Int(position.rounded(.toNearestOrAwayFromZero)), 0), input - 1)
                first.append(Int32(nearest)); second.append(Int32(nearest)); firstWeight.append(1); secondWeight.append(0)
            }
        }
        return (first, second, firstWeight, secondWeight)
    }

    public override func forward(_ input: Tensor) -> Tensor {
        layerRequire(input.rank == 4 && input.shape[1] >= 1 && input.shape[2] >= 1,
                     "Resizing: expected images [batch, height, width, channels], got \(input.shape)")
        let x = input.dtype == .float32 ? input : input.cast(to: .float32)
        return resample(resample(x, axis: 1, to: height), axis: 2, to: width)
    }

    /// `x` resampled along `axis` (1: rows, 2: columns) to `size`.
    func resample(_ x: Tensor, axis: Int, to size: Int) -> Tensor {
        if x.shape[axis] == size { return x }
        let taps = Self.taps(input: x.shape[axis], output: size, interpolation: interpolation)
        let low = x.indexSelect(axis: axis, Tensor(int32: taps.first, shape: [size]))
        if interpolation == .nearest { return low }
        let high = x.indexSelect(axis: axis, Tensor(int32: taps.second, shape: [size]))
        var shape = [1, 1, 1, 1]
        shape[axis] = size
        return low * Tensor(taps.firstWeight, shape: shape) + high * Tensor(taps.secondWeight, shape: shape)
    }
}

extension Resizing: ConfigurableLayer {
    public static let typeName = "Resizing"
    public static let configKeys = ["height", "width", "interpolation"]
    public convenience init(config c: ConfigReader) throws {
        try self.init(height: try c.requiredSize("height"), width: try c.requiredSize("width"),
                      interpolation: try c.choice("interpolation", default: .bilinear))
    }
    public var config: [String: ConfigValue] {
        ["height": .int(height), "width": .int(width), "interpolation": .string(interpolation.rawValue)]
    }
}
