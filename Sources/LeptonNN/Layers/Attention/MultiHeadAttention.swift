import LeptonTensor

/// Multi-head attention (`keras.layers.MultiHeadAttention`, `torch.nn.MultiheadAttention` with
/// `batch_first=True`): queries, keys and values `[batch, seq, features]` are projected into
/// `heads` subspaces, attended per head (the fused ``Tensor/attention(query:key:value:heads:scale:keep:)``
/// op, which reads the heads in place from the projections), and projected back.
///
/// Kernels are `[inputFeatures, heads · size]`, as ``Dense`` stores them; PyTorch's
/// `in_proj_weight` is `concat(queryKernelᵀ, keyKernelᵀ, valueKernelᵀ)` and `out_proj.weight`
/// is `outputKernelᵀ`. With PyTorch's `embed_dim = E`, use `keyDimensions: E / heads`.
/// In self-attention (query, key and value the same tensor) the three projections run as one
/// matrix product.
///
/// Masks use 1 for "attend" and 0 for "masked" (Keras's convention; PyTorch's boolean masks
/// are the opposite). A query row that may attend to no key gets zero weights, not NaN.
///
/// ```swift
/// let mha = MultiHeadAttention(heads: 4, keyDimensions: 32)
/// let x = Tensor.zeros([8, 10, 128])
/// let y = mha(x)                                         // self-attention: [8, 10, 128]
/// let (out, weights) = mha.forwardWithWeights(query: x, key: x, value: x, causal: true)
/// // weights: [8, 4, 10, 10]
/// ```
public final class MultiHeadAttention: Module {
    /// Number of attention heads.
    public let heads: Int
    /// Size of each head's query and key projections.
    public let keyDimensions: Int
    /// Size of each head's value projection.
    public let valueDimensions: Int
    /// Dropout probability on the attention weights (training only).
    public let dropout: Float
    /// Whether the projections add biases.
    public let useBias: Bool
    /// Output features; the query's feature count when nil.
    public let outputDimensions: Int?
    /// Initializer of the four kernels.
    public let kernelInitializer: Initializer
    /// Initializer of the four biases.
    public let biasInitializer: Initializer
    /// `[queryFeatures, heads · keyDimensions]`.
    public private(set) var queryKernel: Tensor?
    /// `[heads · keyDimensions]`.
    public private(set) var queryBias: Tensor?
    /// `[keyFeatures, heads · keyDimensions]`.
    public private(set) var keyKernel: Tensor?
    /// `[heads · keyDimensions]`.
    public private(set) var keyBias: Tensor?
    /// `[valueFeatures, heads · valueDimensions]`.
    public private(set) var valueKernel: Tensor?
    /// `[heads · valueDimensions]`.
    public private(set) var valueBias: Tensor?
    /// `[heads · valueDimensions, outputDimensions]`.
    public private(set) var outputKernel: Tensor?
    /// `[outputDimensions]`.
    public private(set) var outputBias: Tensor?
    private var generator: RandomGenerator
    /// When set, each call records its attention weights there (explanation tools); the
    /// attention then runs unfused. Nil by default.
    public var weightsRecorder: AttentionWeightsRecorder?

    /// - Parameters:
    ///   - heads: number of attention heads.
    ///   - keyDimensions: size of each head's query and key (PyTorch: `embed_dim / num_heads`).
    ///   - valueDimensions: size of each head's value; `keyDimensions` when nil.
    ///   - dropout: dropout probability on the attention weights.
    ///   - outputDimensions: output features; the query's features when nil.
    ///   - queryFeatures: when given, the weights are built now, with key and value features
    ///     `keyFeatures` and `valueFeatures` (defaulting to `queryFeatures`); otherwise on the first call.
    ///   - seed: seeds the dropout masks; drawn from ``GlobalRandom`` when nil.
    public init(heads: Int, keyDimensions: Int, valueDimensions: Int? = nil, dropout: Float = 0,
                useBias: Bool = true, outputDimensions: Int? = nil, queryFeatures: Int? = nil,
                keyFeatures: Int? = nil, valueFeatures: Int? = nil,
                kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros,
                seed: UInt64? = nil) {
        layerRequire(heads > 0 && keyDimensions > 0 && (valueDimensions ?? 1) > 0 && (outputDimensions ?? 1) > 0,
                     "MultiHeadAttention: heads, keyDimensions, valueDimensions and outputDimensions must be positive")
        layerRequire(dropout >= 0 && dropout < 1, "MultiHeadAttention: dropout must be in [0, 1), got \(dropout)")
        self.heads = heads
        self.keyDimensions = keyDimensions
        self.valueDimensions = valueDimensions ?? keyDimensions
        self.dropout = dropout
        self.useBias = useBias
        self.outputDimensions = outputDimensions
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.generator = RandomGenerator(seed: seed ?? GlobalRandom.with { $0.next() })
        super.init()
        if let queryFeatures {
            build(queryFeatures: queryFeatures, keyFeatures: keyFeatures ?? queryFeatures,
                  valueFeatures: valueFeatures ?? keyFeatures ?? queryFeatures)
        }
    }

    /// Creates the weights for inputs with these feature counts.
    public func build(queryFeatures: Int, keyFeatures: Int, valueFeatures: Int) {
        let hk = heads * keyDimensions, hv = heads * valueDimensions
        let out = outputDimensions ?? queryFeatures
        func kernel(_ rows: Int, _ columns: Int) -> Tensor {
            kernelInitializer.make([rows, columns], fanIn: rows, fanOut: columns).requiringGrad()
        }
        func bias(_ n: Int, fanIn: Int) -> Tensor? {
            useBias ? biasInitializer.make([n], fanIn: fanIn, fanOut: n).requiringGrad() : nil
        }
        queryKernel = kernel(queryFeatures, hk)
        queryBias = bias(hk, fanIn: queryFeatures)
        keyKernel = kernel(keyFeatures, hk)
        keyBias = bias(hk, fanIn: keyFeatures)
        valueKernel = kernel(valueFeatures, hv)
        valueBias = bias(hv, fanIn: valueFeatures)
        outputKernel = kernel(hv, out)
        outputBias = bias(out, fanIn: hv)
    }

    /// Self-attention of `input` (`[batch, seq, features]`) without masks.
    public override func forward(_ input: Tensor) -> Tensor {
        attend(query: input, key: input, value: input, attentionMask: nil, keyPaddingMask: nil, causal: false,
               returningWeights: false).output
    }

    /// Attention of `query` over `key` and `value`; see
    /// ``forwardWithWeights(query:key:value:attentionMask:keyPaddingMask:causal:)``.
    /// `key` defaults to `value` and `value` to `key`; with neither, this is self-attention.
    public func callAsFunction(_ query: Tensor, key: Tensor? = nil, value: Tensor? = nil, attentionMask: Tensor? = nil,
                               keyPaddingMask: Tensor? = nil, causal: Bool = false) -> Tensor {
        let k = key ?? value ?? query, v = value ?? key ?? query
        return attend(query: query, key: k, value: v, attentionMask: attentionMask, keyPaddingMask: keyPaddingMask,
                      causal: causal, returningWeights: false).output
    }

    /// Attention of `query` (`[batch, tq, queryFeatures]`) over `key` (`[batch, tk, keyFeatures]`)
    /// and `value` (`[batch, tk, valueFeatures]`).
    ///
    /// - Parameters:
    ///   - attentionMask: 1 = attend, 0 = masked; `[tq, tk]`, `[batch, tq, tk]` or a shape that
    ///     broadcasts to `[batch, heads, tq, tk]`.
    ///   - keyPaddingMask: `[batch, tk]`, 1 for real tokens and 0 for padding (the opposite of
    ///     PyTorch's boolean `key_padding_mask`).
    ///   - causal: hide keys after each query's position.
    /// - Returns: the output `[batch, tq, outputDimensions]` and the per-head attention weights
    ///   `[batch, heads, tq, tk]` (before dropout; PyTorch's `average_attn_weights=False`).
    ///   Gradients flow through both; the calls that return only the output run the fused
    ///   ``Tensor/attention(query:key:value:heads:scale:keep:)`` op instead, which keeps the
    ///   weights to itself.
    public func forwardWithWeights(query: Tensor, key: Tensor, value: Tensor, attentionMask: Tensor? = nil,
                                   keyPaddingMask: Tensor? = nil, causal: Bool = false) -> (output: Tensor, weights: Tensor) {
        let result = attend(query: query, key: key, value: value, attentionMask: attentionMask,
                            keyPaddingMask: keyPaddingMask, causal: causal, returningWeights: true)
        return (result.output, result.weights!)
    }

    /// The layer's computation; with `returningWeights` the attention is composed from
    /// differentiable ops so that the weights can be returned, otherwise it runs fused.
    private func attend(query: Tensor, key: Tensor, value: Tensor, attentionMask: Tensor?, keyPaddingMask: Tensor?,
                        causal: Bool, returningWeights requested: Bool) -> (output: Tensor, weights: Tensor?) {
        let returningWeights = requested || weightsRecorder != nil
        layerRequire(query.rank == 3 && key.rank == 3 && value.rank == 3,
                     "MultiHeadAttention: expected query, key and value of shape [batch, seq, features], got \(query.shape), \(key.shape), \(value.shape)")
        let (b, tq, tk) = (query.shape[0], query.shape[1], key.shape[1])
        layerRequire(key.shape[0] == b && value.shape[0] == b,
                     "MultiHeadAttention: batch sizes differ: query \(query.shape), key \(key.shape), value \(value.shape)")
        layerRequire(value.shape[1] == tk,
                     "MultiHeadAttention: key \(key.shape) and value \(value.shape) must have the same sequence length")
        if queryKernel == nil {
            build(queryFeatures: query.shape[2], keyFeatures: key.shape[2], valueFeatures: value.shape[2])
        }
        for (name, x, w) in [("query", query, queryKernel!), ("key", key, keyKernel!), ("value", value, valueKernel!)] {
            layerRequire(x.shape[2] == w.shape[0],
                         "MultiHeadAttention: \(name) has \(x.shape[2]) features (shape \(x.shape)), expected \(w.shape[0])")
        }
        let keep = AttentionMask.keep(attentionMask: attentionMask, keyPaddingMask: keyPaddingMask, causal: causal,
                                      batch: b, heads: heads, tq: tq, tk: tk, op: "MultiHeadAttention")

        let (h, dk, dv) = (heads, keyDimensions, valueDimensions)
        let scale = 1 / Float(dk).squareRoot(), rate = isTraining ? dropout : 0
        let selfAttention = query === key && key === value
        let q: Tensor, kT: Tensor, v: Tensor
        if selfAttention {
            // Self-attention: one product with the three kernels side by side.
            let kernel = Tensor.concatenate([queryKernel!, keyKernel!, valueKernel!], axis: 1)
            let projected = query.dense(kernel, bias: useBias ? Tensor.concatenate([queryBias!, keyBias!, valueBias!]) : nil)
            if !returningWeights {
                let attended = Tensor.attention(packed: projected, heads: h, keyDimensions: dk, valueDimensions: dv,
                                                scale: scale, keep: keep, dropout: rate, generator: &generator)
                return (attended.dense(outputKernel!, bias: outputBias), nil)
            }
            let parts = projected.split(sizes: [h * dk, h * dk, h * dv], axis: -1)
            (q, kT, v) = (parts[0], parts[1], parts[2])
        } else {
            (q, kT, v) = (project(query, queryKernel!, queryBias), project(key, keyKernel!, keyBias),
                          project(value, valueKernel!, valueBias))
            if !returningWeights {
                let attended = Tensor.attention(query: q, key: kT, value: v, heads: h, scale: scale, keep: keep,
                                                dropout: rate, generator: &generator)
                return (attended.dense(outputKernel!, bias: outputBias), nil)
            }
        }
        // Heads first: [b, t, h·d] → [b, h, t, d]; the keys go straight to [b, h, d, t].
        let (output, weights) = AttentionMask.attend(
            query: q.reshape([b, tq, h, dk]).permute([0, 2, 1, 3]),
            keyTransposed: kT.reshape([b, tk, h, dk]).permute([0, 2, 3, 1]),
            value: v.reshape([b, tk, h, dv]).permute([0, 2, 1, 3]),
            keep: keep, scale: scale, dropout: rate, generator: &generator)
        let y = output.permute([0, 2, 1, 3]).reshape([b, tq, h * dv]).dense(outputKernel!, bias: outputBias)
        weightsRecorder?.weights = weights.detach()
        return (y, weights)
    }

    private func project(_ x: Tensor, _ kernel: Tensor, _ bias: Tensor?) -> Tensor {
        x.dense(kernel, bias: bias)
    }
}

extension MultiHeadAttention: RandomStateful {
    /// The generator the attention-weight dropout masks are drawn from (saved in checkpoints).
    public var randomState: RandomGenerator {
        get { generator }
        set { generator = newValue }
    }
}
