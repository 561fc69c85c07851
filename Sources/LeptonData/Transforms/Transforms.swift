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

/// Random augmentation of channels-last image batches `[N, H, W, C]`, seeded, applied per
/// sample (as Keras's RandomCrop / RandomFlip / RandomRotation / RandomTranslation layers).
public struct ImageAugmentation {
    /// Zero padding added before a random crop back to the original size (0: no crop).
    public var cropPadding: Int
    /// Mirror left–right with probability 1/2.
    public var horizontalFlip: Bool
    /// Largest rotation in degrees (uniform in ±maxRotation; 0: none).
    public var maxRotation: Float
    /// Largest shift as a fraction of height and width (0: none).
    public var maxShift: Float
    private var generator: RandomGenerator

    public init(cropPadding: Int = 0, horizontalFlip: Bool = false, maxRotation: Float = 0, maxShift: Float = 0,
                seed: UInt64 = 0) {
        self.cropPadding = cropPadding
        self.horizontalFlip = horizontalFlip
        self.maxRotation = maxRotation
        self.maxShift = maxShift
        self.generator = RandomGenerator(seed: seed)
    }

    /// A randomly transformed copy of `images`.
    public mutating func callAsFunction(_ images: Tensor) -> Tensor {
        checkPrecondition(images.rank == 4 && images.dtype == .float32, "ImageAugmentation: expected float32 [N, H, W, C], got \(images.shape)")
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
        }
        return Tensor(out, shape: images.shape)
    }
}
