import LeptonNN

/// The layers LeptonCompress adds to ``LayerRegistry``.
public enum QuantizedLayers {
    /// ``QuantizedDense`` and ``QuantizedConv2D`` (static), ``DynamicQuantizedDense``,
    /// ``DynamicQuantizedRecurrent``, ``DynamicQuantizedBidirectional`` (dynamic) and
    /// ``QuantizedEmbedding`` (weight-only).
    public static let types: [any ConfigurableLayer.Type] = [QuantizedDense.self, QuantizedConv2D.self, DynamicQuantizedDense.self,
                                                             DynamicQuantizedRecurrent.self, DynamicQuantizedBidirectional.self,
                                                             QuantizedEmbedding.self]

    /// Registers the quantised layers, so model files holding them load (`lepton` does this at
    /// start; a program that loads compressed models calls it once). Calling it again does nothing new.
    public static func register() {
        for type in types { LayerRegistry.register(type) }
    }
}
