import LeptonTensor

/// One Transformer encoder block: self-attention and a position-wise feed-forward network, each
/// with a residual connection, layer normalisation and dropout — PyTorch's
/// `nn.TransformerEncoderLayer(batch_first=True)` (Keras-NLP's `TransformerEncoder`).
///
/// Post-norm (the default, as in PyTorch and the original Transformer):
/// `x = norm1(x + dropout(attention(x)))`, then `x = norm2(x + dropout(feedForward(x)))`.
/// Pre-norm (`normFirst: true`): `x = x + dropout(attention(norm1(x)))`, then
/// `x = x + dropout(feedForward(norm2(x)))`. The feed-forward network is
/// `dense2(dropout(activation(dense1(x))))`.
///
/// ```swift
/// let block = TransformerEncoderLayer(modelDimensions: 128, heads: 4, feedForwardDimensions: 512)
/// let y = block(Tensor.zeros([32, 64, 128]))                     // [32, 64, 128]
/// let z = block(x, keyPaddingMask: padding)                      // padding: [32, 64], 1 = token
/// ```
public final class TransformerEncoderLayer: Module {
    /// Features of every position (PyTorch's `d_model`).
    public let modelDimensions: Int
    /// Hidden size of the feed-forward network (PyTorch's `dim_feedforward`).
    public let feedForwardDimensions: Int
    /// Whether layer normalisation comes before each sub-layer (pre-norm) or after the residual.
    public let normFirst: Bool
    /// The self-attention sub-layer.
    public let selfAttention: MultiHeadAttention
    /// The feed-forward network's first layer (`linear1`), with the activation.
    public let feedForward1: Dense
    /// The feed-forward network's second layer (`linear2`).
    public let feedForward2: Dense
    /// Normalisation around the attention sub-layer (`norm1`).
    public let norm1: LayerNormalization
    /// Normalisation around the feed-forward sub-layer (`norm2`).
    public let norm2: LayerNormalization
    /// Dropout on the attention output (`dropout1`).
    public let dropout1: Dropout
    /// Dropout inside the feed-forward network, after the activation (`dropout`).
    public let feedForwardDropout: Dropout
    /// Dropout on the feed-forward output (`dropout2`).
    public let dropout2: Dropout

    /// - Parameters:
    ///   - modelDimensions: features of the input and output; must divide by `heads`.
    ///   - heads: attention heads, each of `modelDimensions / heads` features.
    ///   - feedForwardDimensions: hidden size of the feed-forward network (PyTorch's default 2048).
    ///   - dropout: probability used by every dropout, the attention weights' included.
    ///   - activation: of the feed-forward network (`.relu` or `.gelu`, as PyTorch).
    ///   - layerNormEpsilon: epsilon of both normalisations.
    ///   - normFirst: pre-norm instead of post-norm.
    ///   - seed: seeds the dropout masks; drawn from ``GlobalRandom`` when nil.
    public init(modelDimensions: Int, heads: Int, feedForwardDimensions: Int = 2048, dropout: Float = 0.1,
                activation: ActivationFunction = .relu, layerNormEpsilon: Float = 1e-5, normFirst: Bool = false,
                kernelInitializer: Initializer = .glorotUniform, seed: UInt64? = nil) {
        layerRequire(modelDimensions > 0 && heads > 0 && modelDimensions % heads == 0,
                     "TransformerEncoderLayer: modelDimensions \(modelDimensions) must be a positive multiple of heads \(heads)")
        layerRequire(feedForwardDimensions > 0, "TransformerEncoderLayer: feedForwardDimensions must be positive")
        self.modelDimensions = modelDimensions
        self.feedForwardDimensions = feedForwardDimensions
        self.normFirst = normFirst
        var rng = RandomGenerator(seed: seed ?? GlobalRandom.with { $0.next() })
        selfAttention = MultiHeadAttention(heads: heads, keyDimensions: modelDimensions / heads, dropout: dropout,
                                           queryFeatures: modelDimensions, kernelInitializer: kernelInitializer,
                                           seed: rng.next())
        feedForward1 = Dense(units: feedForwardDimensions, activation: activation, inputDimensions: modelDimensions,
                             kernelInitializer: kernelInitializer)
        feedForward2 = Dense(units: modelDimensions, inputDimensions: feedForwardDimensions,
                             kernelInitializer: kernelInitializer)
        norm1 = LayerNormalization(epsilon: layerNormEpsilon, features: modelDimensions)
        norm2 = LayerNormalization(epsilon: layerNormEpsilon, features: modelDimensions)
        dropout1 = Dropout(rate: dropout, seed: rng.next())
        feedForwardDropout = Dropout(rate: dropout, seed: rng.next())
        dropout2 = Dropout(rate: dropout, seed: rng.next())
        super.init()
    }

    /// The block applied to `input` (`[batch, seq, modelDimensions]`) without masks.
    public override func forward(_ input: Tensor) -> Tensor { self(input, attentionMask: nil) }

    /// The block applied to `input` (`[batch, seq, modelDimensions]`).
    ///
    /// - Parameters:
    ///   - attentionMask: 1 = attend, 0 = masked; `[seq, seq]`, `[batch, seq, seq]` or
    ///     `[batch, heads, seq, seq]` (see ``MultiHeadAttention``).
    ///   - keyPaddingMask: `[batch, seq]`, 1 for tokens and 0 for padding.
    ///   - causal: each position attends only to itself and earlier ones.
    public func callAsFunction(_ input: Tensor, attentionMask: Tensor? = nil, keyPaddingMask: Tensor? = nil,
                               causal: Bool = false) -> Tensor {
        layerRequire(input.rank == 3 && input.shape[2] == modelDimensions,
                     "TransformerEncoderLayer: expected input [batch, seq, \(modelDimensions)], got \(input.shape)")
        return Self.residualBlock(input, normFirst: normFirst, norm1: norm1, norm2: norm2, attention: {
            self.dropout1(self.selfAttention($0, attentionMask: attentionMask, keyPaddingMask: keyPaddingMask, causal: causal))
        }, feedForward: {
            self.dropout2(self.feedForward2(self.feedForwardDropout(self.feedForward1($0))))
        })
    }

    /// An encoder block's residual structure around its two sub-layers: post-norm
    /// `x = norm1(x + attention(x))`, `norm2(x + feedForward(x))`, or pre-norm
    /// `x = x + attention(norm1(x))`, `x + feedForward(norm2(x))` (shared with the layers that
    /// stand in for this one, such as LeptonCompress's int8 block).
    public static func residualBlock(_ input: Tensor, normFirst: Bool, norm1: LayerNormalization, norm2: LayerNormalization,
                                     attention: (Tensor) -> Tensor, feedForward: (Tensor) -> Tensor) -> Tensor {
        if normFirst {
            let x = input + attention(norm1(input))
            return x + feedForward(norm2(x))
        }
        let x = norm1(input + attention(input))
        return norm2(x + feedForward(x))
    }
}

/// A stack of ``TransformerEncoderLayer`` blocks (`torch.nn.TransformerEncoder`), with an
/// optional final layer normalisation (usual after pre-norm blocks).
///
/// ```swift
/// let encoder = TransformerEncoder(layers: 6, modelDimensions: 128, heads: 4, feedForwardDimensions: 512)
/// let y = encoder(Tensor.zeros([32, 64, 128]), causal: true)   // [32, 64, 128]
/// ```
public final class TransformerEncoder: Module {
    /// The blocks, applied in order.
    public let layers: [Module]
    /// Normalisation after the last block, when requested.
    public let finalNorm: LayerNormalization?

    /// `layers` blocks built with the same arguments (see ``TransformerEncoderLayer``), each
    /// with its own weights.
    ///
    /// - Parameter finalNorm: add a layer normalisation after the last block.
    public init(layers: Int, modelDimensions: Int, heads: Int, feedForwardDimensions: Int = 2048, dropout: Float = 0.1,
                activation: ActivationFunction = .relu, layerNormEpsilon: Float = 1e-5, normFirst: Bool = false,
                finalNorm: Bool = false, kernelInitializer: Initializer = .glorotUniform, seed: UInt64? = nil) {
        layerRequire(layers > 0, "TransformerEncoder: needs at least one layer, got \(layers)")
        var rng = RandomGenerator(seed: seed ?? GlobalRandom.with { $0.next() })
        self.layers = (0..<layers).map { _ in
            TransformerEncoderLayer(modelDimensions: modelDimensions, heads: heads,
                                    feedForwardDimensions: feedForwardDimensions, dropout: dropout,
                                    activation: activation, layerNormEpsilon: layerNormEpsilon, normFirst: normFirst,
                                    kernelInitializer: kernelInitializer, seed: rng.next())
        }
        self.finalNorm = finalNorm ? LayerNormalization(epsilon: layerNormEpsilon, features: modelDimensions) : nil
        super.init()
    }

    /// The blocks as ``TransformerEncoderLayer``s.
    public var blocks: [TransformerEncoderLayer] { layers.map { $0 as! TransformerEncoderLayer } }

    /// The stack applied to `input` (`[batch, seq, modelDimensions]`) without masks.
    public override func forward(_ input: Tensor) -> Tensor { self(input, attentionMask: nil) }

    /// The stack applied to `input`, every block with the same masks (see
    /// ``TransformerEncoderLayer/callAsFunction(_:attentionMask:keyPaddingMask:causal:)``).
    public func callAsFunction(_ input: Tensor, attentionMask: Tensor? = nil, keyPaddingMask: Tensor? = nil,
                               causal: Bool = false) -> Tensor {
        Self.stack(blocks, finalNorm: finalNorm, input, attentionMask: attentionMask, keyPaddingMask: keyPaddingMask,
                   causal: causal)
    }

    /// `blocks` applied in turn to `input`, each with the same masks, then `finalNorm` — this
    /// encoder's stack, and that of encoders made of other blocks (LeptonCompress's int8 one).
    public static func stack<Block: MaskedEncoderBlock>(_ blocks: [Block], finalNorm: LayerNormalization?, _ input: Tensor,
                                                        attentionMask: Tensor?, keyPaddingMask: Tensor?, causal: Bool) -> Tensor {
        var x = input
        for block in blocks {
            x = block(x, attentionMask: attentionMask, keyPaddingMask: keyPaddingMask, causal: causal)
        }
        return finalNorm.map { $0(x) } ?? x
    }
}

/// A block of a Transformer encoder stack: a function of its input and the masks every block
/// of the stack receives (``TransformerEncoder/stack(_:finalNorm:_:attentionMask:keyPaddingMask:causal:)``).
public protocol MaskedEncoderBlock: Module {
    func callAsFunction(_ input: Tensor, attentionMask: Tensor?, keyPaddingMask: Tensor?, causal: Bool) -> Tensor
}

extension TransformerEncoderLayer: MaskedEncoderBlock {}
