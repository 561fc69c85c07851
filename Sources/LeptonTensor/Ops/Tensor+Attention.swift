/// Fused multi-head scaled dot-product attention: scores, masked softmax, dropout and the
/// product with the values in one op per direction, reading the heads in place from the
/// projections (no head-splitting permutes, no `[batch, heads, tq, tk]` temporaries besides the
/// saved weights).
extension Tensor {
    /// Multi-head attention of projected queries over projected keys and values:
    /// per head, `softmax(scale · q · kᵀ) · v` (`torch.nn.functional.scaled_dot_product_attention`
    /// on `[batch, heads, seq, d]` views, heads merged back).
    ///
    /// - Parameters:
    ///   - query: `[batch, tq, heads · dk]`.
    ///   - key: `[batch, tk, heads · dk]`.
    ///   - value: `[batch, tk, heads · dv]`.
    ///   - heads: number of heads the feature axes are split into.
    ///   - scale: multiplies the scores; `1 / √dk` when nil.
    ///   - keep: optional float32 mask broadcastable to `[batch, heads, tq, tk]`: non-zero where
    ///     a query may attend to a key. Masked weights are 0; a query with no key kept gets zero
    ///     weights and a zero output (not NaN).
    /// - Returns: `[batch, tq, heads · dv]`.
    ///
    /// ```swift
    /// let qkv = x.dense(kernel, bias: bias)                          // [b, t, 3 · 128]
    /// let parts = qkv.split(sizes: [128, 128, 128], axis: -1)
    /// let y = Tensor.attention(query: parts[0], key: parts[1], value: parts[2], heads: 4)  // [b, t, 128]
    /// ```
    public static func attention(query: Tensor, key: Tensor, value: Tensor, heads: Int, scale: Float? = nil,
                                 keep: Tensor? = nil) -> Tensor {
        var unused = RandomGenerator(seed: 0)
        return attention(query: query, key: key, value: value, heads: heads, scale: scale, keep: keep,
                         dropout: 0, generator: &unused)
    }

    /// ``attention(query:key:value:heads:scale:keep:)`` with inverted dropout of probability
    /// `dropout` on the weights (drawn from `generator`, one draw per weight in
    /// `[batch, heads, tq, tk]` order, as ``dropout(_:training:generator:)``).
    public static func attention(query: Tensor, key: Tensor, value: Tensor, heads: Int, scale: Float? = nil,
                                 keep: Tensor? = nil, dropout: Float, generator: inout RandomGenerator) -> Tensor {
        for (name, t) in [("query", query), ("key", key), ("value", value)] {
            require(t.dtype == .float32 && t.rank == 3, "attention", "\(name) must be float32 [batch, seq, heads · d], got \(t.dtype) \(t.shape)")
        }
        require(heads > 0 && query.shape[2] > 0 && value.shape[2] > 0 && query.shape[2] % heads == 0
                    && value.shape[2] % heads == 0, "attention",
                "heads (\(heads)) must divide the features of query \(query.shape) and value \(value.shape)")
        require(key.shape[0] == query.shape[0] && value.shape[0] == query.shape[0] && key.shape[1] == value.shape[1]
                    && key.shape[2] == query.shape[2], "attention",
                "query \(query.shape), key \(key.shape) and value \(value.shape) do not fit: expected [b, tq, h·dk], [b, tk, h·dk], [b, tk, h·dv]")
        let dk = query.shape[2] / heads, dv = value.shape[2] / heads
        let p = AttentionParameters(batch: query.shape[0], heads: heads, queryLength: query.shape[1],
                                    keyLength: key.shape[1], keyDimensions: dk, valueDimensions: dv,
                                    queryRowStride: heads * dk, keyRowStride: heads * dk, valueRowStride: heads * dv,
                                    scale: scale ?? 1 / Float(dk).squareRoot())
        return attentionOp(p, inputs: [query, key, value], offsets: (0, 0, 0), keep: keep, dropout: dropout,
                           generator: &generator)
    }

    /// Self-attention over one packed projection `[batch, seq, heads · (2 · dk + dv)]` whose
    /// last axis holds the queries, keys and values side by side (`x.dense([Wq | Wk | Wv])`):
    /// ``attention(query:key:value:heads:scale:keep:)`` without splitting it, and with one
    /// packed gradient.
    ///
    /// - Parameters:
    ///   - keyDimensions: `dk`, the size of each head's query and key.
    ///   - valueDimensions: `dv`; `dk` when nil.
    public static func attention(packed: Tensor, heads: Int, keyDimensions: Int, valueDimensions: Int? = nil,
                                 scale: Float? = nil, keep: Tensor? = nil) -> Tensor {
        var unused = RandomGenerator(seed: 0)
        return attention(packed: packed, heads: heads, keyDimensions: keyDimensions, valueDimensions: valueDimensions,
                         scale: scale, keep: keep, dropout: 0, generator: &unused)
    }

    /// ``attention(packed:heads:keyDimensions:valueDimensions:scale:keep:)`` with dropout on the
    /// weights, as ``attention(query:key:value:heads:scale:keep:dropout:generator:)``.
    public static func attention(packed: Tensor, heads: Int, keyDimensions: Int, valueDimensions: Int? = nil,
                                 scale: Float? = nil, keep: Tensor? = nil, dropout: Float,
                                 generator: inout RandomGenerator) -> Tensor {
        let dk = keyDimensions, dv = valueDimensions ?? keyDimensions
        let width = heads * (2 * dk + dv)
        require(heads > 0 && dk > 0 && dv > 0, "attention", "heads (\(heads)), keyDimensions (\(dk)) and valueDimensions (\(dv)) must be positive")
        require(packed.dtype == .float32 && packed.rank == 3 && packed.shape[2] == width, "attention",
                "packed must be float32 [batch, seq, heads · (2 · dk + dv)] = [_, _, \(width)], got \(packed.dtype) \(packed.shape)")
        let p = AttentionParameters(batch: packed.shape[0], heads: heads, queryLength: packed.shape[1],
                                    keyLength: packed.shape[1], keyDimensions: dk, valueDimensions: dv,
                                    queryRowStride: width, keyRowStride: width, valueRowStride: width,
                                    scale: scale ?? 1 / Float(dk).squareRoot())
        return attentionOp(p, inputs: [packed], offsets: (0, heads * dk, 2 * heads * dk), keep: keep,
                           dropout: dropout, generator: &generator)
    }

    /// The op behind both forms: `inputs` is `[query, key, value]` or `[packed]`, and `offsets`
    /// locate the query, key and value blocks in their input (within the row stride).
    private static func attentionOp(_ p: AttentionParameters, inputs: [Tensor], offsets: (Int, Int, Int), keep: Tensor?,
                                    dropout: Float, generator: inout RandomGenerator) -> Tensor {
        require(dropout >= 0 && dropout < 1, "attention", "dropout probability \(dropout) must be in [0, 1)")
        var p = p
        let target = [p.batch, p.heads, p.queryLength, p.keyLength]
        if let keep {
            require(keep.dtype == .float32 && keep.rank <= 4 && Shape.broadcast(keep.shape, target) == target, "attention",
                    "keep mask must be float32 and broadcast to [batch, heads, tq, tk] = \(target), got \(keep.dtype) \(keep.shape)")
            p.maskStrides = Shape.broadcastStrides(keep.shape, to: target)
        }
        let b = inputs[0].backend
        let planeCount = Shape.count(target)
        var dropoutMask: Tensor?
        if dropout > 0 {
            let mask = Tensor(uninitializedShape: target, backend: b)
            let m = mask.floats, scale = 1 / (1 - dropout)
            for i in 0..<planeCount { m[i] = generator.nextFloat() >= dropout ? scale : 0 }
            dropoutMask = mask
        }
        let weights = Tensor(uninitializedShape: target, backend: b)
        let out = Tensor(uninitializedShape: [p.batch, p.queryLength, p.outputRowStride], backend: b)
        let last = inputs.count - 1
        func pointers(_ base: [Tensor]) -> (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) {
            (base[0].floats + offsets.0, base[Swift.min(1, last)].floats + offsets.1, base[last].floats + offsets.2)
        }
        if planeCount > 0 {
            let (q, k, v) = pointers(inputs)
            b.attention(p, query: q, key: k, value: v, keep: keep.map { UnsafePointer($0.floats) },
                        dropout: dropoutMask.map { UnsafePointer($0.floats) }, weights: weights.floats, out.floats)
        } else {
            b.fill(out.floats, count: out.count, value: 0)
        }
        return Tensor.record("attention", out, inputs: inputs) { g in
            // One gradient per input; the packed input's covers all three blocks.
            let grads = inputs.map { Tensor(uninitializedShape: $0.shape, backend: b) }
            if planeCount > 0 {
                let (q, k, v) = pointers(inputs), (dq, dk, dv) = pointers(grads)
                b.attentionBackward(p, query: q, key: k, value: v, dropout: dropoutMask.map { UnsafePointer($0.floats) },
                                    weights: weights.floats, dy: g.floats, dQuery: dq, dKey: dk, dValue: dv)
            } else {
                for grad in grads { b.fill(grad.floats, count: grad.count, value: 0) }
            }
            return grads
        }
    }
}
