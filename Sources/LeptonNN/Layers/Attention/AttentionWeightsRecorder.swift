import LeptonTensor

/// Where a ``MultiHeadAttention`` layer leaves the attention weights of its latest call, for
/// explanation tools (attention maps). Set it on the layer's ``MultiHeadAttention/weightsRecorder``;
/// while set, the layer runs its attention unfused so that the weights exist.
///
/// ```swift
/// let recorder = AttentionWeightsRecorder()
/// mha.weightsRecorder = recorder
/// _ = model(x)
/// print(recorder.weights!.shape)   // [batch, heads, tq, tk]
/// mha.weightsRecorder = nil
/// ```
public final class AttentionWeightsRecorder {
    /// The latest call's weights `[batch, heads, tq, tk]` (before dropout), cut from the graph;
    /// nil before the first call.
    public var weights: Tensor?

    /// An empty recorder.
    public init() {}
}
