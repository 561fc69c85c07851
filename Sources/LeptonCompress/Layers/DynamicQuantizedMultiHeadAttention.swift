import LeptonNN
import LeptonTensor

/// A ``MultiHeadAttention`` whose four projections (query, key, value, output) run as dynamic int8
/// products (``DynamicQuantizedDense``: per-channel int8 weights, inputs quantised per call); the
/// attention between them (scores, masked softmax, weighted values) stays float32, as ONNX
/// Runtime's dynamic quantisation of attention does. In self-attention the input is quantised
/// once for the three input projections (in cross-attention over one memory tensor, once for the
/// key and value projections). Inference only. PyTorch's `quantize_dynamic` leaves
/// `nn.MultiheadAttention` in float32.
///
/// Made by ``DynamicQuantizer``; saved and loaded like any registered layer.
///
/// ```swift
/// let int8 = DynamicQuantizedMultiHeadAttention(attention)   // a built MultiHeadAttention
/// let y = int8(x, keyPaddingMask: padding)                   // [batch, seq, features]
/// ```
public final class DynamicQuantizedMultiHeadAttention: Module {
    /// Number of attention heads.
    public let heads: Int
    /// Size of each head's query and key projections.
    public let keyDimensions: Int
    /// Size of each head's value projection.
    public let valueDimensions: Int
    /// `[queryFeatures] → [heads · keyDimensions]`.
    public let query: DynamicQuantizedDense
    /// `[keyFeatures] → [heads · keyDimensions]`.
    public let key: DynamicQuantizedDense
    /// `[valueFeatures] → [heads · valueDimensions]`.
    public let value: DynamicQuantizedDense
    /// `[heads · valueDimensions] → [outputDimensions]`.
    public let output: DynamicQuantizedDense

    /// A layer with zero weights, to be loaded.
    public init(heads: Int, keyDimensions: Int, valueDimensions: Int? = nil, useBias: Bool = true,
                queryFeatures: Int, keyFeatures: Int? = nil, valueFeatures: Int? = nil, outputDimensions: Int? = nil) {
        let hk = heads * keyDimensions, hv = heads * (valueDimensions ?? keyDimensions)
        self.heads = heads
        self.keyDimensions = keyDimensions
        self.valueDimensions = valueDimensions ?? keyDimensions
        query = DynamicQuantizedDense(units: hk, inputDimensions: queryFeatures, useBias: useBias)
        key = DynamicQuantizedDense(units: hk, inputDimensions: keyFeatures ?? queryFeatures, useBias: useBias)
        value = DynamicQuantizedDense(units: hv, inputDimensions: valueFeatures ?? keyFeatures ?? queryFeatures, useBias: useBias)
        output = DynamicQuantizedDense(units: outputDimensions ?? queryFeatures, inputDimensions: hv, useBias: useBias)
        super.init()
    }

    /// The int8 form of a built `attention` (`reduceRange`: 7-bit weights, ``WeightQuantization``).
    public init(_ attention: MultiHeadAttention, reduceRange: Bool = false) {
        heads = attention.heads
        keyDimensions = attention.keyDimensions
        valueDimensions = attention.valueDimensions
        func int8(_ kernel: Tensor?, _ bias: Tensor?) -> DynamicQuantizedDense {
            DynamicQuantizedDense(kernel: kernel!, bias: bias, reduceRange: reduceRange)
        }
        query = int8(attention.queryKernel, attention.queryBias)
        key = int8(attention.keyKernel, attention.keyBias)
        value = int8(attention.valueKernel, attention.valueBias)
        output = int8(attention.outputKernel, attention.outputBias)
        super.init()
    }

    /// Whether the projections add biases.
    public var useBias: Bool { query.useBias }

    /// The int8 kernels of all four projections (see ``DynamicQuantizedDense/kernelPath``).
    public var kernelPath: Int8KernelPath {
        get { query.kernelPath }
        set { for projection in [query, key, value, output] { projection.kernelPath = newValue } }
    }

    /// Self-attention of `input` (`[batch, seq, features]`) without masks.
    public override func forward(_ input: Tensor) -> Tensor { self(input, attentionMask: nil) }

    /// Attention of `query` over `key` and `value` (``MultiHeadAttention/callAsFunction(_:key:value:attentionMask:keyPaddingMask:causal:)``):
    /// `key` defaults to `value` and `value` to `key`; with neither, this is self-attention.
    public func callAsFunction(_ query: Tensor, key: Tensor? = nil, value: Tensor? = nil, attentionMask: Tensor? = nil,
                               keyPaddingMask: Tensor? = nil, causal: Bool = false) -> Tensor {
        let k = key ?? value ?? query, v = value ?? key ?? query
        for (name, x, projection) in [("query", query, self.query), ("key", k, self.key), ("value", v, self.value)] {
            quantizedRequire(x.dtype == .float32 && x.rank == 3 && x.shape[2] == projection.inputDimensions,
                             "DynamicQuantizedMultiHeadAttention: \(name) is \(x.dtype) \(x.shape), expected float32 [batch, seq, \(projection.inputDimensions)]")
        }
        let (b, tq, tk) = (query.shape[0], query.shape[1], k.shape[1])
        quantizedRequire(k.shape[0] == b && v.shape[0] == b && v.shape[1] == tk,
                         "DynamicQuantizedMultiHeadAttention: query \(query.shape), key \(k.shape) and value \(v.shape) do not fit: expected one batch size and one key length")
        let keep = AttentionMask.keep(attentionMask: attentionMask, keyPaddingMask: keyPaddingMask, causal: causal,
                                      batch: b, heads: heads, tq: tq, tk: tk, op: "DynamicQuantizedMultiHeadAttention")
        let path = self.query.kernelPath
        let q: Tensor, projectedKey: Tensor, projectedValue: Tensor
        if query === k && k === v {
            let input = QuantizedInput(query, path: path)
            (q, projectedKey, projectedValue) = (self.query(input), self.key(input), self.value(input))
        } else if k === v {
            let memory = QuantizedInput(k, path: path)
            (q, projectedKey, projectedValue) = (self.query(query), self.key(memory), self.value(memory))
        } else {
            (q, projectedKey, projectedValue) = (self.query(query), self.key(k), self.value(v))
        }
        let attended = Tensor.withoutGrad {
            Tensor.attention(query: q, key: projectedKey, value: projectedValue, heads: heads,
                             scale: 1 / Float(keyDimensions).squareRoot(), keep: keep)
        }
        return output(attended)
    }
}

extension DynamicQuantizedMultiHeadAttention: MaskAware {
    /// Self-attention in which no query attends to a padded key.
    public func forward(_ input: Tensor, mask: Tensor) -> Tensor { self(input, keyPaddingMask: mask) }
}
