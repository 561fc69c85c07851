import LeptonTensor

/// Scaled dot-product attention, `softmax(q · kᵀ · scale + mask) · v`
/// (`torch.nn.functional.scaled_dot_product_attention`, returning the weights as well).
///
/// Shapes are `query [..., tq, d]`, `key [..., tk, d]`, `value [..., tk, dv]`; the leading
/// (batch, head) axes broadcast as in ``Tensor/matmul(_:)``. The result is the output
/// `[..., tq, dv]` and the attention weights `[..., tq, tk]`.
///
/// `mask` marks with 1 the key positions each query may attend to and with 0 those it may not;
/// it must broadcast to `[..., tq, tk]`. `causal` additionally hides every key after the query's
/// own position (key `j` is visible to query `i` when `j ≤ i`). Masked scores are replaced by a
/// large negative number before the softmax, and the weights are multiplied by the mask after
/// it, so a query that may attend to nothing gets all-zero weights (and a zero output), never NaN.
///
/// ```swift
/// let q = Tensor.normal([2, 4, 5, 8], generator: &rng)      // [batch, heads, tq, d]
/// let (out, weights) = scaledDotProductAttention(query: q, key: q, value: q, causal: true)
/// // out: [2, 4, 5, 8], weights: [2, 4, 5, 5]
/// ```
///
/// - Parameters:
///   - scale: multiplies the scores; `1 / √d` when nil.
/// - Returns: the attended values and the weights (before any dropout).
public func scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, mask: Tensor? = nil,
                                      causal: Bool = false, scale: Float? = nil) -> (output: Tensor, weights: Tensor) {
    var unused = RandomGenerator(seed: 0)
    return scaledDotProductAttention(query: query, key: key, value: value, mask: mask, causal: causal,
                                     scale: scale, dropout: 0, generator: &unused)
}

/// ``scaledDotProductAttention(query:key:value:mask:causal:scale:)`` with dropout of
/// probability `dropout` applied to the weights before they multiply `value` (inverted
/// dropout, drawn from `generator`). The returned weights are those before dropout.
public func scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, mask: Tensor? = nil,
                                      causal: Bool = false, scale: Float? = nil, dropout: Float,
                                      generator: inout RandomGenerator) -> (output: Tensor, weights: Tensor) {
    layerRequire(query.rank >= 2 && key.rank >= 2 && value.rank >= 2,
                 "scaledDotProductAttention: query, key and value need rank ≥ 2 ([..., seq, features]), got \(query.shape), \(key.shape), \(value.shape)")
    layerRequire(query.shape[query.rank - 1] == key.shape[key.rank - 1],
                 "scaledDotProductAttention: query \(query.shape) and key \(key.shape) must have the same last dimension")
    layerRequire(key.shape[key.rank - 2] == value.shape[value.rank - 2],
                 "scaledDotProductAttention: key \(key.shape) and value \(value.shape) must have the same sequence length (axis -2)")
    let tq = query.shape[query.rank - 2], tk = key.shape[key.rank - 2]
    let keep = AttentionMask.combine([mask.map { AttentionMask.validated($0, tq: tq, tk: tk, op: "scaledDotProductAttention") },
                                      causal ? AttentionMask.causal(tq, tk) : nil])
    return AttentionMask.attend(query: query, keyTransposed: key.transposed(), value: value, keep: keep,
                                scale: scale ?? 1 / Float(query.shape[query.rank - 1]).squareRoot(),
                                dropout: dropout, generator: &generator)
}

/// Helpers for attention masks (1 = attend, 0 = masked) and the attention kernel shared by
/// ``scaledDotProductAttention(query:key:value:mask:causal:scale:)``, ``MultiHeadAttention`` and
/// the layers that stand in for it (LeptonCompress's int8 attention).
public enum AttentionMask {
    /// The mask a multi-head attention of `heads` heads applies, `[batch or 1, heads or 1, tq, tk]`
    /// float32, made from its three optional parts; nil when none is given. Stops with a message
    /// naming `op` when a mask does not fit.
    ///
    /// - Parameters:
    ///   - attentionMask: 1 = attend, 0 = masked; `[tq, tk]`, `[batch, tq, tk]` or
    ///     `[batch, heads, tq, tk]` (each axis may be 1).
    ///   - keyPaddingMask: `[batch, tk]`, 1 for real keys and 0 for padding.
    ///   - causal: hide keys after each query's position.
    public static func keep(attentionMask: Tensor?, keyPaddingMask: Tensor?, causal: Bool, batch: Int, heads: Int,
                            tq: Int, tk: Int, op: String) -> Tensor? {
        combine([attentionMask.map { headed($0, batch: batch, heads: heads, tq: tq, tk: tk, op: op) },
                 keyPaddingMask.map { padding($0, batch: batch, tk: tk, op: op) },
                 causal ? AttentionMask.causal(tq, tk) : nil])
    }

    /// An attention mask as `[batch or 1, heads or 1, tq, tk]`.
    private static func headed(_ m: Tensor, batch: Int, heads: Int, tq: Int, tk: Int, op: String) -> Tensor {
        let checked = validated(m, tq: tq, tk: tk, op: op)
        switch m.rank {
        case 2: return checked
        case 3:
            layerRequire(m.shape[0] == batch || m.shape[0] == 1,
                         "\(op): attention mask \(m.shape) must be [batch (\(batch)), tq, tk]")
            return checked.unsqueeze(1)
        case 4:
            layerRequire((m.shape[0] == batch || m.shape[0] == 1) && (m.shape[1] == heads || m.shape[1] == 1),
                         "\(op): attention mask \(m.shape) does not broadcast to [\(batch), \(heads), \(tq), \(tk)]")
            return checked
        default:
            fatalError("\(op): attention mask \(m.shape) must be [tq, tk], [batch, tq, tk] or [batch, heads, tq, tk]")
        }
    }

    /// A key-padding mask `[batch, tk]` as `[batch, 1, 1, tk]`.
    private static func padding(_ m: Tensor, batch: Int, tk: Int, op: String) -> Tensor {
        layerRequire(m.shape == [batch, tk], "\(op): key padding mask must be [batch, tk] = [\(batch), \(tk)], got \(m.shape)")
        return binary(m).reshape([batch, 1, 1, tk])
    }

    /// The score given to masked positions before the softmax (Keras uses the same value).
    static let maskedScore: Float = -1e9

    /// A `[tq, tk]` mask with 1 where key `j ≤` query `i`.
    static func causal(_ tq: Int, _ tk: Int) -> Tensor {
        var values = [Float](repeating: 0, count: tq * tk)
        for i in 0..<tq { for j in 0..<Swift.min(i + 1, tk) { values[i * tk + j] = 1 } }
        return Tensor(values, shape: [tq, tk])
    }

    /// `mask` as float32, after checking that its last two axes fit `[tq, tk]`.
    static func validated(_ mask: Tensor, tq: Int, tk: Int, op: String) -> Tensor {
        layerRequire(mask.rank >= 2, "\(op): the attention mask must have rank ≥ 2 ([..., tq, tk]), got \(mask.shape)")
        let mq = mask.shape[mask.rank - 2], mk = mask.shape[mask.rank - 1]
        layerRequire((mq == tq || mq == 1) && (mk == tk || mk == 1),
                     "\(op): attention mask \(mask.shape) does not broadcast to [..., \(tq), \(tk)] (queries × keys)")
        return binary(mask)
    }

    /// 1 where `mask` is non-zero, else 0, as float32 (outside the graph).
    static func binary(_ mask: Tensor) -> Tensor {
        mask.detach().cast(to: .float32).notEqual(Tensor(Float(0)))
    }

    /// The product of the given masks (nil when there are none).
    static func combine(_ masks: [Tensor?]) -> Tensor? {
        masks.compactMap { $0 }.reduce(nil) { acc, m in acc.map { $0 * m } ?? m }
    }

    /// The attention kernel: `keyTransposed` is `[..., d, tk]`, so a caller that already holds
    /// the keys in that layout saves a copy.
    static func attend(query: Tensor, keyTransposed: Tensor, value: Tensor, keep: Tensor?, scale: Float,
                       dropout: Float, generator: inout RandomGenerator) -> (output: Tensor, weights: Tensor) {
        // Scaling the queries costs tq·d multiplications instead of tq·tk for the scores.
        var scores = (query * scale).matmul(keyTransposed)
        if let keep { scores = Tensor.where(keep, scores, Tensor(maskedScore)) }
        var weights = scores.softmax(axis: -1)
        // Rows with every key masked would be uniform after the softmax: make them zero.
        if let keep { weights = weights * keep }
        let attended = dropout > 0 ? weights.dropout(dropout, generator: &generator) : weights
        return (attended.matmul(value), weights)
    }
}
