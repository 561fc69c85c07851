import LeptonNN
import LeptonTensor

/// The attention weights of one `MultiHeadAttention` layer (alone or inside a
/// `TransformerEncoder`) for one sample: `weights[head][query][key]`.
public struct AttentionMap: Sendable, Equatable {
    /// Per head, a `queries × keys` matrix, row-major.
    public let heads: [[Float]]
    /// Query positions.
    public let queries: Int
    /// Key positions.
    public let keys: Int

    /// The weights averaged over the heads (`queries × keys`, row-major; each row sums to 1
    /// where a query may attend somewhere).
    public var mean: [Float] {
        guard let first = heads.first else { return [] }
        var sum = first
        for head in heads.dropFirst() { for i in sum.indices { sum[i] += head[i] } }
        return sum.map { $0 / Float(heads.count) }
    }

    /// The attention layers of `model` in order (those nested in encoders included).
    public static func attentionLayers(of model: Module) -> [MultiHeadAttention] {
        model.namedModules().compactMap { $0.1 as? MultiHeadAttention }
    }

    /// Runs `model` on one sample `input` (`[1, …]`) in evaluation mode and returns the
    /// attention weights of its attention layer number `layer` (the last by default).
    /// - Throws: ``ExplainError`` when the model has no attention layer, `layer` is out of
    ///   range, or `input` is not one sample.
    public static func record(_ model: Sequential, input: Tensor, layer: Int? = nil) throws -> AttentionMap {
        let layers = attentionLayers(of: model)
        guard !layers.isEmpty else {
            throw ExplainError("attention maps need a MultiHeadAttention or TransformerEncoder layer, and the model has none")
        }
        let index = layer ?? layers.count - 1
        guard layers.indices.contains(index) else {
            throw ExplainError("attention layer \(index) is out of range: the model has \(layers.count)")
        }
        guard input.rank >= 1, input.shape[0] == 1 else {
            throw ExplainError("expected one sample [1, …], got shape \(input.shape)")
        }
        let recorder = AttentionWeightsRecorder()
        layers[index].weightsRecorder = recorder
        defer { layers[index].weightsRecorder = nil }
        _ = ModelRunner(model).outputs(input)
        guard let weights = recorder.weights, weights.rank == 4 else {
            throw ExplainError("the attention layer did not run on this input")
        }
        let (h, q, k) = (weights.shape[1], weights.shape[2], weights.shape[3])
        let values = weights.scalars
        return AttentionMap(heads: (0..<h).map { Array(values[($0 * q * k)..<(($0 + 1) * q * k)]) }, queries: q, keys: k)
    }
}
