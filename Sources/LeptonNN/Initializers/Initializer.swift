import Foundation
import LeptonTensor

/// How a layer fills a weight when it is built, with the names Keras and PyTorch use.
///
/// Fans follow Keras: for a weight of shape `[..., fanIn, fanOut]` whose leading dimensions
/// are a kernel's spatial size (`receptiveField`), `fanIn = receptiveField · shape[-2]` and
/// `fanOut = receptiveField · shape[-1]`; layers pass their own fans where the layout differs.
public enum Initializer: Sendable, Equatable, Codable {
    case zeros
    case ones
    case constant(Float)
    /// Uniform in `[low, high)`.
    case uniform(low: Float, high: Float)
    /// Normal with the given mean and standard deviation.
    case normal(mean: Float, std: Float)
    /// Glorot/Xavier uniform: `U(−a, a)`, `a = √(6 / (fanIn + fanOut))` (Keras's default kernel).
    case glorotUniform
    /// Glorot/Xavier normal: `N(0, 2 / (fanIn + fanOut))` (truncation not applied).
    case glorotNormal
    /// He/Kaiming uniform: `U(−a, a)`, `a = √(6 / fanIn)`.
    case heUniform
    /// He/Kaiming normal: `N(0, 2 / fanIn)`.
    case heNormal
    /// PyTorch's default for Linear and Conv weights: Kaiming uniform with `a = √5`, i.e.
    /// `U(−1/√fanIn, 1/√fanIn)`; also PyTorch's bias default.
    case pytorchDefault
    /// A (semi-)orthogonal matrix times `gain` (Keras's default recurrent kernel).
    case orthogonal(gain: Float)

    /// A new tensor of `shape` drawn from this initializer.
    public func make(_ shape: [Int], fanIn: Int? = nil, fanOut: Int? = nil,
                     generator: inout RandomGenerator) -> Tensor {
        let (defaultIn, defaultOut) = Self.fans(shape)
        let fi = Float(Swift.max(fanIn ?? defaultIn, 1)), fo = Float(Swift.max(fanOut ?? defaultOut, 1))
        switch self {
        case .zeros: return Tensor.zeros(shape)
        case .ones: return Tensor.ones(shape)
        case .constant(let v): return Tensor.full(shape, v)
        case .uniform(let lo, let hi): return Tensor.uniform(shape, low: lo, high: hi, generator: &generator)
        case .normal(let m, let s): return Tensor.normal(shape, mean: m, std: s, generator: &generator)
        case .glorotUniform:
            let a = (6 / (fi + fo)).squareRoot()
            return Tensor.uniform(shape, low: -a, high: a, generator: &generator)
        case .glorotNormal:
            return Tensor.normal(shape, std: (2 / (fi + fo)).squareRoot(), generator: &generator)
        case .heUniform:
            let a = (6 / fi).squareRoot()
            return Tensor.uniform(shape, low: -a, high: a, generator: &generator)
        case .heNormal:
            return Tensor.normal(shape, std: (2 / fi).squareRoot(), generator: &generator)
        case .pytorchDefault:
            let a = 1 / fi.squareRoot()
            return Tensor.uniform(shape, low: -a, high: a, generator: &generator)
        case .orthogonal(let gain):
            return Self.orthogonal(shape, gain: gain, generator: &generator)
        }
    }

    /// Draws from the process-wide generator (``GlobalRandom``).
    public func make(_ shape: [Int], fanIn: Int? = nil, fanOut: Int? = nil) -> Tensor {
        GlobalRandom.with { make(shape, fanIn: fanIn, fanOut: fanOut, generator: &$0) }
    }

    /// Keras's fans for a weight shape.
    public static func fans(_ shape: [Int]) -> (Int, Int) {
        switch shape.count {
        case 0: return (1, 1)
        case 1: return (shape[0], shape[0])
        case 2: return (shape[0], shape[1])
        default:
            let receptive = shape.dropLast(2).reduce(1, *)
            return (receptive * shape[shape.count - 2], receptive * shape[shape.count - 1])
        }
    }

    /// Gram–Schmidt on a Gaussian matrix: rows × columns = (product of leading dims) × last dim.
    static func orthogonal(_ shape: [Int], gain: Float, generator: inout RandomGenerator) -> Tensor {
        let columns = shape.last ?? 1
        let rows = Swift.max(1, shape.dropLast().reduce(1, *))
        let transpose = rows < columns
        let (r, c) = transpose ? (columns, rows) : (rows, columns)
        // Orthonormalise the c columns of an r × c Gaussian matrix (r ≥ c).
        var q = [Double](repeating: 0, count: r * c)
        for i in 0..<(r * c) { q[i] = Double(generator.nextNormal()) }
        for j in 0..<c {
            for k in 0..<j {
                var dot = 0.0
                for i in 0..<r { dot += q[i * c + j] * q[i * c + k] }
                for i in 0..<r { q[i * c + j] -= dot * q[i * c + k] }
            }
            var norm = 0.0
            for i in 0..<r { norm += q[i * c + j] * q[i * c + j] }
            norm = Swift.max(norm.squareRoot(), 1e-12)
            for i in 0..<r { q[i * c + j] /= norm }
        }
        var values = [Float](repeating: 0, count: rows * columns)
        for i in 0..<rows {
            for j in 0..<columns {
                values[i * columns + j] = gain * Float(transpose ? q[j * c + i] : q[i * c + j])
            }
        }
        return Tensor(values, shape: shape)
    }
}
