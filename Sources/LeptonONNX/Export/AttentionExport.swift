import LeptonNN
import LeptonTensor

/// `MultiHeadAttention` (self-attention, as its `forward` computes it), `TransformerEncoderLayer`
/// and `TransformerEncoder` in opset-17 operators, following Lepton's computation step by step:
/// one `MatMul` with the query, key and value kernels side by side, `Split`, heads moved before
/// the sequence axis, `softmax((q · scale) · kᵀ) · v`, heads merged, the output projection; the
/// encoder blocks add the residuals, `LayerNormalization` (post- or pre-norm) and the
/// feed-forward `Dense` pair. Dropout is left out (inference). The graph has no mask input:
/// a `Sequential` model runs these layers without masks.
struct AttentionConverter: ONNXLayerConverter {
    let layerTypes: [Module.Type] = [MultiHeadAttention.self, TransformerEncoderLayer.self, TransformerEncoder.self]

    func convert(_ layer: Module, _ step: ONNXLayerStep) throws -> String {
        guard step.inputShape.count == 2 else {
            throw step.error("expected input [batch, seq, features], got [batch, \(step.inputShape.map(String.init).joined(separator: ", "))]")
        }
        let g = step.graph, steps = step.inputShape[0]
        switch layer {
        case let attention as MultiHeadAttention:
            return g.selfAttention(attention, step.input, steps: steps)
        case let block as TransformerEncoderLayer:
            return g.encoderBlock(block, step.input, steps: steps)
        default:
            let encoder = layer as! TransformerEncoder
            var x = step.input
            for (i, block) in encoder.blocks.enumerated() {
                x = g.withScope("layers.\(i)") { g.encoderBlock(block, x, steps: steps) }
            }
            guard let norm = encoder.finalNorm else { return x }
            return g.withScope("finalNorm") { g.layerNormalization(x, gamma: norm.gamma!, beta: norm.beta!, epsilon: norm.epsilon) }
        }
    }
}

extension ONNXGraphBuilder {
    /// Self-attention of `x` (`[batch, steps, features]`) without masks, as ``LeptonNN/MultiHeadAttention``
    /// computes it.
    func selfAttention(_ attention: MultiHeadAttention, _ x: String, steps: Int) -> String {
        let (h, dk, dv) = (attention.heads, attention.keyDimensions, attention.valueDimensions)
        let kernel = Tensor.concatenate([attention.queryKernel!, attention.keyKernel!, attention.valueKernel!], axis: 1)
        var projected = node("MatMul", [x, initializer(kernel, name: "qkvKernel")])
        if attention.useBias {
            let bias = Tensor.concatenate([attention.queryBias!, attention.keyBias!, attention.valueBias!])
            projected = node("Add", [projected, initializer(bias, name: "qkvBias")])
        }
        let parts = nodeOutputs("Split", [projected, ints([h * dk, h * dk, h * dv], name: "split")], outputs: 3,
                                attributes: [.int("axis", -1)])
        let q = transpose(reshape(parts[0], [-1, steps, h, dk]), [0, 2, 1, 3])
        let keyTransposed = transpose(reshape(parts[1], [-1, steps, h, dk]), [0, 2, 3, 1])
        let v = transpose(reshape(parts[2], [-1, steps, h, dv]), [0, 2, 1, 3])
        let scaled = node("Mul", [q, scalar(1 / Float(dk).squareRoot(), name: "scale")])
        let weights = node("Softmax", [node("MatMul", [scaled, keyTransposed])], .int("axis", -1))
        let attended = node("MatMul", [weights, v])
        let merged = reshape(transpose(attended, [0, 2, 1, 3]), [-1, steps, h * dv])
        return withScope("output") { dense(merged, kernel: attention.outputKernel!, bias: attention.outputBias) }
    }

    /// One ``LeptonNN/TransformerEncoderLayer`` without masks or dropout.
    func encoderBlock(_ block: TransformerEncoderLayer, _ input: String, steps: Int) -> String {
        func attention(_ x: String) -> String {
            withScope("selfAttention") { selfAttention(block.selfAttention, x, steps: steps) }
        }
        func feedForward(_ x: String) -> String {
            let hidden = withScope("feedForward1") {
                activation(block.feedForward1.activation, dense(x, kernel: block.feedForward1.kernel!, bias: block.feedForward1.bias))
            }
            return withScope("feedForward2") { dense(hidden, kernel: block.feedForward2.kernel!, bias: block.feedForward2.bias) }
        }
        func norm(_ layer: LayerNormalization, _ name: String, _ x: String) -> String {
            withScope(name) { layerNormalization(x, gamma: layer.gamma!, beta: layer.beta!, epsilon: layer.epsilon) }
        }
        if block.normFirst {
            let x = node("Add", [input, attention(norm(block.norm1, "norm1", input))])
            return node("Add", [x, feedForward(norm(block.norm2, "norm2", x))])
        }
        let x = norm(block.norm1, "norm1", node("Add", [input, attention(input)]))
        return norm(block.norm2, "norm2", node("Add", [x, feedForward(x)]))
    }
}
