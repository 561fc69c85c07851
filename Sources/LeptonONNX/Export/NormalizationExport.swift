import LeptonNN
import LeptonTensor

/// `BatchNormalization` as ONNX `BatchNormalization` in inference mode (running mean and
/// variance), whose feature axis is 1: another feature axis (-1 for channels-last images and
/// sequences) is transposed there and back. `LayerNormalization` is opset 17's
/// `LayerNormalization` over the last axis.
struct NormalizationConverter: ONNXLayerConverter {
    let layerTypes: [Module.Type] = [BatchNormalization.self, LayerNormalization.self]

    func convert(_ layer: Module, _ step: ONNXLayerStep) throws -> String {
        let g = step.graph
        if let norm = layer as? LayerNormalization {
            return g.layerNormalization(step.input, gamma: norm.gamma!, beta: norm.beta!, epsilon: norm.epsilon)
        }
        let norm = layer as! BatchNormalization
        let rank = step.inputRank
        let axis = norm.axis < 0 ? norm.axis + rank : norm.axis
        guard axis >= 1 && axis < rank else {
            throw step.error("axis \(norm.axis) is the batch axis of a rank-\(rank) input; ONNX needs the features on an axis after the batch")
        }
        // Move the feature axis to position 1: [0, axis, the others in order].
        let perm = [0, axis] + (1..<rank).filter { $0 != axis }
        let inverse = (0..<rank).map { perm.firstIndex(of: $0)! }
        let x = g.transpose(step.input, perm)
        let y = g.node("BatchNormalization", [x, g.initializer(norm.gamma!, name: "gamma"), g.initializer(norm.beta!, name: "beta"),
                                              g.initializer(norm.runningMean!, name: "runningMean"),
                                              g.initializer(norm.runningVariance!, name: "runningVariance")],
                       .float("epsilon", norm.epsilon))
        return g.transpose(y, inverse)
    }
}

extension ONNXGraphBuilder {
    /// Opset 17's `LayerNormalization` over the last axis, with `scope.gamma` and `scope.beta`.
    public func layerNormalization(_ x: String, gamma: Tensor, beta: Tensor, epsilon: Float) -> String {
        node("LayerNormalization", [x, initializer(gamma, name: "gamma"), initializer(beta, name: "beta")],
             .int("axis", -1), .float("epsilon", epsilon))
    }
}
