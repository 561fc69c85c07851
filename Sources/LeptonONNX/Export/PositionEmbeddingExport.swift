import LeptonNN
import LeptonTensor

/// The position layers of Transformer models: `PositionEmbedding` adds the first `seq` rows of
/// its table, `SinusoidalPositionEncoding` its fixed table, and `TokenAndPositionEmbedding`
/// gathers token vectors and adds the positions. The rows for the exported sequence length are
/// stored as the initializer, so the graph takes sequences of the exported length.
struct PositionEmbeddingConverter: ONNXLayerConverter {
    let layerTypes: [Module.Type] = [PositionEmbedding.self, SinusoidalPositionEncoding.self, TokenAndPositionEmbedding.self]

    func convert(_ layer: Module, _ step: ONNXLayerStep) throws -> String {
        let g = step.graph
        if let embedding = layer as? TokenAndPositionEmbedding {
            guard step.inputShape.count == 1 else { throw batchAxisError(step, expected: "[batch, seq] token ids") }
            let tokens = g.withScope("tokenEmbedding") {
                g.gather(embedding.tokenEmbedding.weight, name: "weight", indices: step.input)
            }
            return g.withScope("positionEmbedding") {
                g.node("Add", [tokens, g.initializer(positions(embedding.positionEmbedding.weight!, steps: step.inputShape[0]),
                                                     name: "weight")])
            }
        }
        guard step.inputShape.count == 2 else { throw batchAxisError(step, expected: "[batch, seq, features]") }
        let (steps, features) = (step.inputShape[0], step.inputShape[1])
        let table: Tensor
        if let embedding = layer as? PositionEmbedding {
            table = positions(embedding.weight!, steps: steps)
        } else {
            table = SinusoidalPositionEncoding.encoding(length: steps, dimensions: features,
                                                        maxWavelength: (layer as! SinusoidalPositionEncoding).maxWavelength)
        }
        return g.node("Add", [step.input, g.initializer(table, name: layer is PositionEmbedding ? "weight" : "encoding")])
    }

    private func positions(_ weight: Tensor, steps: Int) -> Tensor {
        steps == weight.shape[0] ? weight : weight.slice(axis: 0, start: 0, end: steps)
    }

    /// Lepton reads an input without the sequence axis as one unbatched sequence, whose
    /// positions are then the batch axis: that has no dynamic-batch ONNX form.
    private func batchAxisError(_ step: ONNXLayerStep, expected: String) -> ONNXError {
        step.error("input [batch, \(step.inputShape.map(String.init).joined(separator: ", "))] is read by Lepton as one "
                   + "unbatched sequence (positions along the batch axis); export it with input \(expected)")
    }
}
