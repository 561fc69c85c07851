import LeptonNN
import LeptonTensor

/// Dynamic int8 quantisation of a ``Sequential`` model (PyTorch's
/// `torch.ao.quantization.quantize_dynamic`): each built ``Dense`` becomes a
/// ``DynamicQuantizedDense``, each ``SimpleRNN``/``LSTM``/``GRU`` a ``DynamicQuantizedRecurrent``,
/// each ``Bidirectional`` a ``DynamicQuantizedBidirectional``, and each ``MultiHeadAttention``,
/// ``TransformerEncoderLayer`` and ``TransformerEncoder`` its dynamic int8 form (the attention's
/// four projections and the feed-forward products in int8; PyTorch keeps attention in float32). Weights become per-channel
/// symmetric `int8` now; inputs are quantised per call on their own range, so no calibration data
/// is needed. An ``Embedding`` becomes a ``QuantizedEmbedding`` (int8 rows, one scale each)
/// unless ``embeddings`` is false. Other layers stay float32; those with weights are reported in
/// ``Result/kept``.
///
/// ```swift
/// let result = try DynamicQuantizer().quantize(model)
/// try ModelFile.save(result.model, to: folder, inputShape: [40], inputDType: .int32)
/// ```
public struct DynamicQuantizer: Sendable {
    /// Whether embedding tables are stored in int8 too (weight-only; PyTorch needs
    /// `float_qparams_weight_only_qconfig` for the same).
    public var embeddings: Bool
    /// 7-bit weights for the matrix products (codes in -64...64, ``WeightQuantization``): the
    /// `vpmaddubsw` kernels on CPUs without VNNI. Embedding tables keep the full range.
    public var reduceRange: Bool

    public init(embeddings: Bool = true, reduceRange: Bool = false) {
        self.embeddings = embeddings
        self.reduceRange = reduceRange
    }

    /// What ``quantize(_:)`` made.
    public struct Result {
        /// The model with dynamic int8 layers (sharing the float layers it kept with the input model).
        public let model: Sequential
        /// Names of the layers now in int8, each with what it was.
        public let quantized: [(name: String, layer: String)]
        /// Layers with weights left in float32, each with the reason.
        public let kept: [(name: String, reason: String)]
    }

    /// Quantises `model`'s supported layers.
    /// - Throws: ``CompressError`` when no layer can be quantised (naming the layers the model has)
    ///   or a supported layer was never built (it has no weights to quantise).
    public func quantize(_ model: Sequential) throws -> Result {
        let names = model.layerNames
        var layers: [Module] = [], quantized: [(String, String)] = [], kept: [(String, String)] = []
        for (i, layer) in model.layers.enumerated() {
            if let replacement = try replacement(for: layer, name: names[i]) {
                replacement.name = names[i]
                layers.append(replacement)
                quantized.append((names[i], Self.describe(layer)))
            } else {
                layers.append(layer)
                if layer.parameterCount > 0 { kept.append((names[i], Self.keptReason(layer, embeddings: embeddings))) }
            }
        }
        guard !quantized.isEmpty else {
            let types = model.layers.map { "\(type(of: $0))" }.joined(separator: ", ")
            throw CompressError("the model has no layer dynamic quantisation applies to (its layers: \(types.isEmpty ? "none" : types)); "
                                + "expected at least one Dense, SimpleRNN, LSTM, GRU, Bidirectional, MultiHeadAttention or TransformerEncoder layer")
        }
        return Result(model: Sequential(layers), quantized: quantized, kept: kept)
    }

    /// The dynamic int8 layer replacing `layer`, or nil when it has no such form.
    func replacement(for layer: Module, name: String) throws -> Module? {
        switch layer {
        case let embedding as Embedding where embeddings:
            return QuantizedEmbedding(embedding)
        case let dense as Dense:
            guard dense.kernel != nil else { throw Self.unbuilt(name, "Dense") }
            return DynamicQuantizedDense(dense, reduceRange: reduceRange)
        case let recurrent as RecurrentLayer:
            guard recurrent.kernel != nil else { throw Self.unbuilt(name, "\(type(of: recurrent))") }
            return DynamicQuantizedRecurrent(recurrent, reduceRange: reduceRange)
        case let attention as MultiHeadAttention:
            guard attention.queryKernel != nil else { throw Self.unbuilt(name, "MultiHeadAttention") }
            return DynamicQuantizedMultiHeadAttention(attention, reduceRange: reduceRange)
        case let block as TransformerEncoderLayer:
            return DynamicQuantizedTransformerEncoderLayer(block, reduceRange: reduceRange)
        case let encoder as TransformerEncoder:
            return DynamicQuantizedTransformerEncoder(encoder, reduceRange: reduceRange)
        case let bidirectional as Bidirectional:
            guard bidirectional.forwardLayer.kernel != nil, bidirectional.backwardLayer.kernel != nil else {
                throw Self.unbuilt(name, "Bidirectional")
            }
            return DynamicQuantizedBidirectional(bidirectional, reduceRange: reduceRange)
        default:
            return nil
        }
    }

    /// Why a layer with weights stays float32.
    static func keptReason(_ layer: Module, embeddings: Bool) -> String {
        layer is Embedding ? "embedding tables are kept in float32 (asked for)" : "\(type(of: layer)) has no dynamic int8 form"
    }

    static func unbuilt(_ name: String, _ type: String) -> CompressError {
        CompressError("layer \(name) (\(type)) has no weights yet (the model was never built); expected a trained or loaded model")
    }

    /// What a replaced layer was and how it now runs, for the command's report.
    static func describe(_ layer: Module) -> String {
        if layer is Embedding { return "Embedding, int8 rows (weight-only)" }
        if let b = layer as? Bidirectional { return "Bidirectional(\(type(of: b.forwardLayer))), inputs quantised per batch" }
        return "\(type(of: layer)), inputs quantised per batch"
    }
}
