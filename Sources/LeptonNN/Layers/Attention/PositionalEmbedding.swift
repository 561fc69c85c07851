import Foundation
import LeptonTensor

/// A learned position embedding added to a sequence: `x + weight[0..<seq]` for `x` of shape
/// `[batch, seq, features]` or `[seq, features]` (Keras-NLP's `PositionEmbedding`, which returns
/// the embeddings alone; this layer adds them to its input).
///
/// ```swift
/// let positions = PositionEmbedding(sequenceLength: 512)
/// let y = positions(Tensor.zeros([8, 100, 64]))   // [8, 100, 64], weight built as [512, 64]
/// ```
public final class PositionEmbedding: Module {
    /// The longest sequence the layer accepts.
    public let sequenceLength: Int
    /// Initializer of ``weight``.
    public let initializer: Initializer
    /// `[sequenceLength, features]`, built from the first input when `features` was not given.
    public private(set) var weight: Tensor?

    /// - Parameters:
    ///   - sequenceLength: the longest sequence the layer accepts.
    ///   - features: when given, the weight is built now; otherwise from the first input.
    public init(sequenceLength: Int, features: Int? = nil, initializer: Initializer = .glorotUniform) {
        layerRequire(sequenceLength > 0, "PositionEmbedding: sequenceLength must be positive, got \(sequenceLength)")
        self.sequenceLength = sequenceLength
        self.initializer = initializer
        super.init()
        if let features { build(features: features) }
    }

    /// Creates the weight for `features` features.
    public func build(features: Int) {
        weight = initializer.make([sequenceLength, features]).requiringGrad()
    }

    /// `input` plus the embeddings of positions `0..<seq` (building the weight on the first call).
    public override func forward(_ input: Tensor) -> Tensor {
        layerRequire(input.rank == 2 || input.rank == 3,
                     "PositionEmbedding: expected [batch, seq, features] or [seq, features], got \(input.shape)")
        let (steps, features) = (input.shape[input.rank - 2], input.shape[input.rank - 1])
        if weight == nil { build(features: features) }
        layerRequire(steps <= sequenceLength && features == weight!.shape[1],
                     "PositionEmbedding: input \(input.shape) needs at most \(sequenceLength) steps of \(weight!.shape[1]) features")
        let positions = steps == sequenceLength ? weight! : weight!.slice(axis: 0, start: 0, end: steps)
        return input + positions
    }
}

/// Token embedding plus learned position embedding (Keras-NLP's `TokenAndPositionEmbedding`):
/// `int32` token ids `[batch, seq]` become `[batch, seq, embeddingDimensions]`.
///
/// ```swift
/// let embed = TokenAndPositionEmbedding(vocabularySize: 10_000, sequenceLength: 128, embeddingDimensions: 64)
/// let x = embed(ids)   // ids: int32 [32, 128] → [32, 128, 64]
/// ```
public final class TokenAndPositionEmbedding: Module {
    /// The token lookup table.
    public let tokenEmbedding: Embedding
    /// The position embedding added to the token vectors.
    public let positionEmbedding: PositionEmbedding

    /// - Parameters:
    ///   - vocabularySize: number of token ids.
    ///   - sequenceLength: the longest sequence accepted.
    ///   - embeddingDimensions: size of each vector.
    ///   - initializer: of both tables (Keras's `"uniform"`, `U(−0.05, 0.05)`, by default).
    public init(vocabularySize: Int, sequenceLength: Int, embeddingDimensions: Int,
                initializer: Initializer = .uniform(low: -0.05, high: 0.05)) {
        tokenEmbedding = Embedding(vocabularySize: vocabularySize, dimensions: embeddingDimensions, initializer: initializer)
        positionEmbedding = PositionEmbedding(sequenceLength: sequenceLength, features: embeddingDimensions,
                                              initializer: initializer)
        super.init()
    }

    /// Embeds `int32` ids `[batch, seq]` (or `[seq]`) and adds the position embeddings.
    public override func forward(_ input: Tensor) -> Tensor {
        layerRequire(input.rank == 2 || input.rank == 1,
                     "TokenAndPositionEmbedding: expected int32 token ids [batch, seq] or [seq], got \(input.dtype) \(input.shape)")
        return positionEmbedding(tokenEmbedding(input))
    }
}

/// The fixed sinusoidal position encoding of "Attention Is All You Need", added to a sequence
/// `[batch, seq, features]` or `[seq, features]` (Keras-NLP's `SinePositionEncoding`, which
/// returns the encoding alone; this layer adds it to its input). It has no parameters.
///
/// Feature `2i` of position `p` is `sin(p / maxWavelength^(2i / features))` and feature
/// `2i + 1` is `cos` of the same angle.
///
/// ```swift
/// let y = SinusoidalPositionEncoding()(Tensor.zeros([8, 100, 64]))   // zeros + encoding
/// ```
public final class SinusoidalPositionEncoding: Module {
    /// The longest wavelength, reached by the last features (10 000 in the paper).
    public let maxWavelength: Float

    /// An encoding with the given longest wavelength.
    public init(maxWavelength: Float = 10_000) {
        layerRequire(maxWavelength > 0, "SinusoidalPositionEncoding: maxWavelength must be positive")
        self.maxWavelength = maxWavelength
    }

    /// The encoding table `[length, dimensions]`.
    public static func encoding(length: Int, dimensions: Int, maxWavelength: Float = 10_000) -> Tensor {
        var values = [Float](repeating: 0, count: length * dimensions)
        for j in 0..<dimensions {
            let timescale = Foundation.pow(Double(maxWavelength), -Double(2 * (j / 2)) / Double(dimensions))
            for p in 0..<length {
                let angle = Double(p) * timescale
                values[p * dimensions + j] = Float(j % 2 == 0 ? Foundation.sin(angle) : Foundation.cos(angle))
            }
        }
        return Tensor(values, shape: [length, dimensions])
    }

    /// `input` plus the encoding of its positions.
    public override func forward(_ input: Tensor) -> Tensor {
        layerRequire(input.rank == 2 || input.rank == 3,
                     "SinusoidalPositionEncoding: expected [batch, seq, features] or [seq, features], got \(input.shape)")
        return input + Self.encoding(length: input.shape[input.rank - 2], dimensions: input.shape[input.rank - 1],
                                     maxWavelength: maxWavelength)
    }
}
