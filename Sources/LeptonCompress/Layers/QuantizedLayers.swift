import LeptonNN

/// The layers LeptonCompress adds to ``LayerRegistry``.
public enum QuantizedLayers {
    /// ``QuantizedDense`` and ``QuantizedConv2D`` (static), ``DynamicQuantizedDense``,
    /// ``DynamicQuantizedRecurrent``, ``DynamicQuantizedBidirectional``,
    /// ``DynamicQuantizedMultiHeadAttention``, ``DynamicQuantizedTransformerEncoderLayer``,
    /// ``DynamicQuantizedTransformerEncoder`` (dynamic) and ``QuantizedEmbedding`` (weight-only).
    public static let types: [any ConfigurableLayer.Type] = [
        QuantizedDense.self, QuantizedConv2D.self, DynamicQuantizedDense.self, DynamicQuantizedRecurrent.self,
        DynamicQuantizedBidirectional.self, DynamicQuantizedMultiHeadAttention.self,
        DynamicQuantizedTransformerEncoderLayer.self, DynamicQuantizedTransformerEncoder.self, QuantizedEmbedding.self,
    ]

    /// Registers the quantised layers, so model files holding them load (`lepton` does this at
    /// start; a program that loads compressed models calls it once). Calling it again does nothing new.
    public static func register() {
        for type in types { LayerRegistry.register(type) }
    }
}

/// A layer whose inputs are quantised per call (dynamic int8): the ONNX export does not express
/// them, and `compress-bench` reports such a model as `dynamic-int8`.
public protocol DynamicInt8Layer: Module {}

extension DynamicQuantizedDense: DynamicInt8Layer {}
extension DynamicQuantizedRecurrent: DynamicInt8Layer {}
extension DynamicQuantizedBidirectional: DynamicInt8Layer {}
extension DynamicQuantizedMultiHeadAttention: DynamicInt8Layer {}
extension DynamicQuantizedTransformerEncoderLayer: DynamicInt8Layer {}
extension DynamicQuantizedTransformerEncoder: DynamicInt8Layer {}
