import Foundation
import LeptonTensor

/// Preprocessing of whole tensors: scaling, standardising, one-hot labels.
public enum Preprocessing {
    /// `x / maximum` (pixel bytes to [0, 1] with the default 255).
    /// Divides (rather than multiplying by `1 / maximum`, which is off by a rounding step for
    /// values such as 51 / 255), so the result matches NumPy's and the IDX reader's.
    public static func scale(_ x: Tensor, maximum: Float = 255) -> Tensor { x.cast(to: .float32) / maximum }

    /// `(x − mean) / std` with given statistics (MNIST: 0.1307, 0.3081).
    public static func standardize(_ x: Tensor, mean: Float, std: Float) -> Tensor {
        checkPrecondition(std > 0, "standardize: std must be positive, got \(std)")
        return (x - mean) / std
    }

    /// Standardises each feature (last axis) with statistics computed from `x` itself;
    /// returns the result and the mean and std used (to apply to test data).
    public static func standardize(_ x: Tensor) -> (Tensor, mean: Tensor, std: Tensor) {
        let axes = Array(0..<(x.rank - 1))
        let mean = x.mean(axes: axes, keepDims: true)
        let std = (x.variance(axes: axes, keepDims: true) + 1e-12).sqrt()
        return ((x - mean) / std, mean, std)
    }

    /// One-hot float rows from `int32` labels (`keras.utils.to_categorical`).
    /// - Throws: ``DataError`` for a label outside `0..<classes`.
    public static func toCategorical(_ labels: Tensor, classes: Int) throws -> Tensor {
        guard labels.dtype == .int32 else { throw DataError("toCategorical: labels must be int32, got \(labels.dtype)") }
        if let (i, bad) = labels.int32Scalars.enumerated().first(where: { $0.1 < 0 || Int($0.1) >= classes }) {
            throw DataError("toCategorical: label \(bad) at index \(i) is out of range 0..<\(classes)")
        }
        return Tensor.oneHot(labels, classes: classes)
    }
}

/// Changes a training batch at random, inside the ``DataLoader`` (on its background thread),
/// seeded per batch from the loader's seed, the epoch and the batch's index, so a run (and a
/// resumed run) sees the same augmented batches.
public protocol BatchTransform: Sendable {
    /// The batch changed with draws from `generator`.
    /// - Throws: ``DataError`` when the batch does not have the shape the transform needs.
    func apply(_ batch: [Tensor], generator: inout RandomGenerator) throws -> [Tensor]
}

/// Random augmentation of channels-last image batches `[N, H, W, C]`, seeded, applied per
/// sample (as Keras's RandomCrop / RandomFlip / RandomRotation / RandomTranslation /
/// RandomBrightness / RandomContrast / GaussianNoise layers). Values are in the units the images
/// hold (pixels 0–``valueRange``); brightness and noise are fractions of that range.
public struct ImageAugmentation: BatchTransform {
    /// Zero padding added before a random crop back to the original size (0: no crop).
    public var cropPadding: Int
    /// Mirror left–right with probability 1/2.
    public var horizontalFlip: Bool
    /// Largest rotation in degrees (uniform in ±maxRotation; 0: none).
    public var maxRotation: Float
    /// Largest shift as a fraction of height and width (0: none).
    public var maxShift: Float
    /// Largest brightness change, a fraction of ``valueRange`` added to every value (0: none).
    public var maxBrightness: Float
    /// Largest contrast change: values move from the image's mean by a factor in 1 ± maxContrast (0: none).
    public var maxContrast: Float
    /// Standard deviation of added Gaussian noise, a fraction of ``valueRange`` (0: none).
    public var noise: Float
    /// The span of the images' values (255 for pixels as files hold them); results are clipped to 0...valueRange.
    public var valueRange: Float
    private var generator: RandomGenerator

    public init(cropPadding: Int = 0, horizontalFlip: Bool = false, maxRotation: Float = 0, maxShift: Float = 0,
                maxBrightness: Float = 0, maxContrast: Float = 0, noise: Float = 0, valueRange: Float = 255, seed: UInt64 = 0) {
        self.cropPadding = cropPadding
        self.horizontalFlip = horizontalFlip
        self.maxRotation = maxRotation
        self.maxShift = maxShift
        self.maxBrightness = maxBrightness
        self.maxContrast = maxContrast
        self.noise = noise
        self.valueRange = valueRange
        self.generator = RandomGenerator(seed: seed)
    }

    /// A randomly transformed copy of `images`, drawing from the augmentation's own generator.
    public mutating func callAsFunction(_ images: Tensor) -> Tensor {
        checkPrecondition(images.rank == 4 && images.dtype == .float32, "ImageAugmentation: expected float32 [N, H, W, C], got \(images.shape)")
        return transform(images, generator: &generator)
    }

    /// The batch with its images (field 0) transformed; other fields (labels) unchanged.
    public func apply(_ batch: [Tensor], generator: inout RandomGenerator) throws -> [Tensor] {
        guard let images = batch.first, images.rank == 4, images.dtype == .float32 else {
            throw DataError("augmentation: expected float32 images [batch, height, width, channels], got \(batch.first.map { "\($0.dtype) \($0.shape)" } ?? "no field")")
        }
        return [transform(images, generator: &generator)] + batch.dropFirst()
    }

    func transform(_ images: Tensor, generator: inout RandomGenerator) -> Tensor {
        let (n, h, w, c) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
        let src = images.scalars
        var out = [Float](repeating: 0, count: src.count)
        for s in 0..<n {
            // Compose the sample's transform as an inverse map from output to input pixel.
            let flip = horizontalFlip && generator.nextFloat() < 0.5
            let angle = maxRotation > 0 ? (generator.nextFloat() * 2 - 1) * maxRotation * .pi / 180 : 0
            var dy = maxShift > 0 ? (generator.nextFloat() * 2 - 1) * maxShift * Float(h) : 0
            var dx = maxShift > 0 ? (generator.nextFloat() * 2 - 1) * maxShift * Float(w) : 0
            if cropPadding > 0 {
                dy += Float(Int(generator.next() % UInt64(2 * cropPadding + 1)) - cropPadding)
                dx += Float(Int(generator.next() % UInt64(2 * cropPadding + 1)) - cropPadding)
            }
            let (cosA, sinA) = (cos(angle), sin(angle))
            let (cy, cx) = (Float(h - 1) / 2, Float(w - 1) / 2)
            for y in 0..<h {
                for x in 0..<w {
                    let ox = flip ? Float(w - 1 - x) : Float(x)
                    let ry = Float(y) - cy - dy, rx = ox - cx - dx
                    // Nearest-neighbour sample of the rotated position; outside is zero.
                    let iy = Int((cosA * ry + sinA * rx + cy).rounded()), ix = Int((-sinA * ry + cosA * rx + cx).rounded())
                    guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                    for k in 0..<c { out[((s * h + y) * w + x) * c + k] = src[((s * h + iy) * w + ix) * c + k] }
                }
            }
            guard maxBrightness > 0 || maxContrast > 0 || noise > 0 else { continue }
            let range = (s * h * w * c)..<((s + 1) * h * w * c)
            let delta = maxBrightness > 0 ? (generator.nextFloat() * 2 - 1) * maxBrightness * valueRange : 0
            let factor = maxContrast > 0 ? 1 + (generator.nextFloat() * 2 - 1) * maxContrast : 1
            let mean = factor != 1 ? out[range].reduce(0, +) / Float(range.count) : 0
            for i in range {
                var v = factor != 1 ? (out[i] - mean) * factor + mean : out[i]
                v += delta
                if noise > 0 { v += generator.nextNormal() * noise * valueRange }
                out[i] = Swift.min(Swift.max(v, 0), valueRange)
            }
        }
        return Tensor(out, shape: images.shape)
    }
}
