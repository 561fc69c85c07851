import LeptonNN
import LeptonTensor

/// A ``TransformerEncoderLayer`` with dynamic int8 products: the attention's four projections
/// (``DynamicQuantizedMultiHeadAttention``) and both feed-forward layers
/// (``DynamicQuantizedDense``; a ReLU runs inside the kernel). The layer normalisations, the
/// residual additions and the attention itself stay float32; dropout is off (inference only).
/// Made by ``DynamicQuantizer``; saved and loaded like any registered layer.
public final class DynamicQuantizedTransformerEncoderLayer: Module {
    /// Features of every position.
    public let modelDimensions: Int
    /// Whether layer normalisation comes before each sub-layer (pre-norm) or after the residual.
    public let normFirst: Bool
    /// The self-attention sub-layer.
    public let selfAttention: DynamicQuantizedMultiHeadAttention
    /// The feed-forward network's first layer, with the activation.
    public let feedForward1: DynamicQuantizedDense
    /// The feed-forward network's second layer.
    public let feedForward2: DynamicQuantizedDense
    /// Normalisation around the attention sub-layer.
    public let norm1: LayerNormalization
    /// Normalisation around the feed-forward sub-layer.
    public let norm2: LayerNormalization

    /// A block with zero weights, to be loaded.
    public init(modelDimensions: Int, heads: Int, feedForwardDimensions: Int, activation: ActivationFunction = .relu,
                layerNormEpsilon: Float = 1e-5, normFirst: Bool = false) {
        self.modelDimensions = modelDimensions
        self.normFirst = normFirst
        selfAttention = DynamicQuantizedMultiHeadAttention(heads: heads, keyDimensions: modelDimensions / heads,
                                                           queryFeatures: modelDimensions)
        feedForward1 = DynamicQuantizedDense(units: feedForwardDimensions, inputDimensions: modelDimensions, activation: activation)
        feedForward2 = DynamicQuantizedDense(units: modelDimensions, inputDimensions: feedForwardDimensions)
        norm1 = LayerNormalization(epsilon: layerNormEpsilon, features: modelDimensions)
        norm2 = LayerNormalization(epsilon: layerNormEpsilon, features: modelDimensions)
        super.init()
    }

    /// The int8 form of `block` (its normalisations are shared, not copied).
    public init(_ block: TransformerEncoderLayer, reduceRange: Bool = false) {
        modelDimensions = block.modelDimensions
        normFirst = block.normFirst
        selfAttention = DynamicQuantizedMultiHeadAttention(block.selfAttention, reduceRange: reduceRange)
        feedForward1 = DynamicQuantizedDense(block.feedForward1, reduceRange: reduceRange)
        feedForward2 = DynamicQuantizedDense(block.feedForward2, reduceRange: reduceRange)
        norm1 = block.norm1
        norm2 = block.norm2
        super.init()
    }

    /// The int8 kernels of every product in the block.
    public var kernelPath: Int8KernelPath {
        get { feedForward1.kernelPath }
        set {
            selfAttention.kernelPath = newValue
            feedForward1.kernelPath = newValue
            feedForward2.kernelPath = newValue
        }
    }

    /// The block applied to `input` (`[batch, seq, modelDimensions]`) without masks.
    public override func forward(_ input: Tensor) -> Tensor { self(input, attentionMask: nil) }

    /// The block applied to `input`, as ``TransformerEncoderLayer/callAsFunction(_:attentionMask:keyPaddingMask:causal:)``.
    public func callAsFunction(_ input: Tensor, attentionMask: Tensor? = nil, keyPaddingMask: Tensor? = nil,
                               causal: Bool = false) -> Tensor {
        quantizedRequire(input.rank == 3 && input.shape[2] == modelDimensions,
                         "DynamicQuantizedTransformerEncoderLayer: expected input [batch, seq, \(modelDimensions)], got \(input.shape)")
        return Tensor.withoutGrad {
            TransformerEncoderLayer.residualBlock(input, normFirst: normFirst, norm1: norm1, norm2: norm2, attention: {
                self.selfAttention($0, attentionMask: attentionMask, keyPaddingMask: keyPaddingMask, causal: causal)
            }, feedForward: { self.feedForward2(self.feedForward1($0)) })
        }
    }
}

/// A ``TransformerEncoder`` whose blocks are ``DynamicQuantizedTransformerEncoderLayer``s, with
/// the stack's final normalisation (float32) when it has one.
public final class DynamicQuantizedTransformerEncoder: Module {
    /// The blocks, applied in order.
    public let layers: [Module]
    /// Normalisation after the last block, when the float stack has one.
    public let finalNorm: LayerNormalization?

    /// A stack of `layers` blocks with zero weights, to be loaded.
    public init(layers: Int, modelDimensions: Int, heads: Int, feedForwardDimensions: Int,
                activation: ActivationFunction = .relu, layerNormEpsilon: Float = 1e-5, normFirst: Bool = false,
                finalNorm: Bool = false) {
        self.layers = (0..<layers).map { _ in
            DynamicQuantizedTransformerEncoderLayer(modelDimensions: modelDimensions, heads: heads,
                                                    feedForwardDimensions: feedForwardDimensions, activation: activation,
                                                    layerNormEpsilon: layerNormEpsilon, normFirst: normFirst)
        }
        self.finalNorm = finalNorm ? LayerNormalization(epsilon: layerNormEpsilon, features: modelDimensions) : nil
        super.init()
    }

    /// The int8 form of `encoder`.
    public init(_ encoder: TransformerEncoder, reduceRange: Bool = false) {
        layers = encoder.blocks.map { DynamicQuantizedTransformerEncoderLayer($0, reduceRange: reduceRange) }
        finalNorm = encoder.finalNorm
        super.init()
    }

    /// The blocks as ``DynamicQuantizedTransformerEncoderLayer``s.
    public var blocks: [DynamicQuantizedTransformerEncoderLayer] { layers.map { $0 as! DynamicQuantizedTransformerEncoderLayer } }

    /// The int8 kernels of every block.
    public var kernelPath: Int8KernelPath {
        get { blocks[0].kernelPath }
        set { for block in blocks { block.kernelPath = newValue } }
    }

    /// The stack applied to `input` (`[batch, seq, modelDimensions]`) without masks.
    public override func forward(_ input: Tensor) -> Tensor { self(input, attentionMask: nil) }

    /// The stack applied to `input`, every block with the same masks.
    public func callAsFunction(_ input: Tensor, attentionMask: Tensor? = nil, keyPaddingMask: Tensor? = nil,
                               causal: Bool = false) -> Tensor {
        TransformerEncoder.stack(blocks, finalNorm: finalNorm, input, attentionMask: attentionMask,
                                 keyPaddingMask: keyPaddingMask, causal: causal)
    }
}

extension DynamicQuantizedTransformerEncoderLayer: MaskedEncoderBlock {}

extension DynamicQuantizedTransformerEncoderLayer: MaskAware {
    /// The block with padded keys masked.
    public func forward(_ input: Tensor, mask: Tensor) -> Tensor { self(input, keyPaddingMask: mask) }
}

extension DynamicQuantizedTransformerEncoder: MaskAware {
    /// The stack with padded keys masked in every block.
    public func forward(_ input: Tensor, mask: Tensor) -> Tensor { self(input, keyPaddingMask: mask) }
}
