import LeptonNN
import LeptonTensor

/// `UnitNormalization` as `x / √(ReduceSumSquare(x, last axis) + ε)`, and `CosineDense` as that
/// normalisation followed by `MatMul` with the kernel's columns normalised when exported, so an
/// embedding model (and an ArcFace/CosFace head) runs in any ONNX runtime.
struct EmbeddingHeadConverter: ONNXLayerConverter {
    let layerTypes: [Module.Type] = [UnitNormalization.self, CosineDense.self]

    func convert(_ layer: Module, _ step: ONNXLayerStep) throws -> String {
        let g = step.graph
        if let unit = layer as? UnitNormalization { return g.unitNormalized(step.input, epsilon: unit.epsilon) }
        let head = layer as! CosineDense
        guard let kernel = head.kernel else { throw step.error("the layer has no weights yet; build it first") }
        let centres = Tensor.withoutGrad { kernel / (kernel.square().sum(axis: 0, keepDims: true) + 1e-12).sqrt() }
        return g.node("MatMul", [g.unitNormalized(step.input, epsilon: 1e-12), g.initializer(centres, name: "centres")])
    }
}

extension ONNXGraphBuilder {
    /// `x` with its last axis scaled to unit length.
    func unitNormalized(_ x: String, epsilon: Float) -> String {
        let squares = reduce("ReduceSumSquare", x, axes: [-1], keepDims: true)
        return node("Div", [x, node("Sqrt", [node("Add", [squares, scalar(epsilon, name: "epsilon")])])])
    }
}
