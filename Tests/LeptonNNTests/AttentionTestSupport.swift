import LeptonTensor
import LeptonTestSupport
import LeptonNN

/// Helpers shared by the attention, Transformer and convolution-layer tests.
enum LayerTesting {
    /// Overwrites every parameter of `module` with seeded normal values of `scale` (so biases
    /// and normalisation offsets are not trivially zero when compared with PyTorch).
    static func randomize(_ module: Module, seed: UInt64, scale: Float = 0.5) {
        for (i, (_, p)) in module.namedParameters().enumerated() {
            p.assign(TestSupport.randn(p.shape, seed: seed &+ UInt64(i) &* 7919, scale: scale))
        }
    }

    /// Compares Lepton's outputs with the PyTorch oracle's to 1e-4.
    static func compare(_ op: String, _ inputs: [Tensor], attrs: OracleAttributes = [:],
                        actual: [Tensor]) throws -> OracleComparison {
        try NumPyOracle.torch.compare(op, inputs, attrs: attrs, actual: actual, tolerance: 1e-4)
    }

    /// ``compare(_:_:attrs:actual:)`` for one output.
    static func compare(_ op: String, _ inputs: [Tensor], attrs: OracleAttributes = [:],
                        actual: Tensor) throws -> OracleComparison {
        try compare(op, inputs, attrs: attrs, actual: [actual])
    }

    /// A seeded 0/1 mask of `shape` with about `keep` of the entries 1.
    static func mask(_ shape: [Int], seed: UInt64, keep: Float = 0.6) -> Tensor {
        TestSupport.uniform(shape, seed: seed, low: 0, high: 1).less(keep)
    }

    /// The weights of a ``MultiHeadAttention`` in the oracle's order: Wq, bq, Wk, bk, Wv, bv, Wo, bo.
    static func weights(_ mha: MultiHeadAttention) -> [Tensor] {
        [mha.queryKernel!, mha.queryBias!, mha.keyKernel!, mha.keyBias!, mha.valueKernel!, mha.valueBias!,
         mha.outputKernel!, mha.outputBias!]
    }
}
