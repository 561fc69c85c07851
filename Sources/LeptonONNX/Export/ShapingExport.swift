import LeptonNN

/// `Flatten` (ONNX `Flatten`, axis 1, which keeps Lepton's row-major order: images are
/// channels-last again by the time they reach it), `Reshape` (to `[-1, …target]`, the target
/// resolved by Lepton so the batch axis is the one left free), and `Dropout`, which is the
/// identity at inference and adds no node.
struct ShapingConverter: ONNXLayerConverter {
    let layerTypes: [Module.Type] = [Flatten.self, Reshape.self, Dropout.self]

    func convert(_ layer: Module, _ step: ONNXLayerStep) throws -> String {
        switch layer {
        case is Flatten:
            return step.graph.node("Flatten", [step.input], .int("axis", 1))
        case is Reshape:
            return step.graph.reshape(step.input, [-1] + step.outputShape)
        default:
            return step.input
        }
    }
}
