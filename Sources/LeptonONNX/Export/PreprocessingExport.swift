import LeptonNN
import LeptonTensor

/// `Rescaling` as `Mul` and `Add` (a `Cast` to float first for an int32 input), `Normalization`
/// as `Sub` of the mean and `Div` by `max(sqrt(variance), 1e-7)`, both folded into constants, so
/// an exported model takes the raw values its data files hold, as the Lepton model does.
struct PreprocessingConverter: ONNXLayerConverter {
    let layerTypes: [Module.Type] = [Rescaling.self, Normalization.self]

    func convert(_ layer: Module, _ step: ONNXLayerStep) throws -> String {
        let g = step.graph
        var x = step.input
        if step.inputIsInteger { x = g.node("Cast", [x], .int("to", Int(ONNXElementType.float.rawValue))) }
        if let rescaling = layer as? Rescaling {
            if rescaling.scale != 1 { x = g.node("Mul", [x, g.scalar(rescaling.scale, name: "scale")]) }
            if rescaling.offset != 0 { x = g.node("Add", [x, g.scalar(rescaling.offset, name: "offset")]) }
            return x
        }
        let norm = layer as! Normalization
        guard let mean = norm.mean, let variance = norm.variance else { throw step.error("the layer has no statistics; adapt it first") }
        // Statistics shaped to broadcast over [batch, …sample] on the feature axis.
        var statShape = [Int](repeating: 1, count: step.inputRank)
        if let axis = norm.axis {
            let a = axis < 0 ? axis + step.inputRank : axis
            guard a >= 1, a < step.inputRank, step.inputShape[a - 1] == mean.count else {
                throw step.error("axis \(axis) does not hold the \(mean.count) features of input [batch, \(step.inputShape.map(String.init).joined(separator: ", "))]")
            }
            statShape[a] = mean.count
        }
        let std = Tensor.withoutGrad { variance.sqrt().maximum(Tensor(Normalization.epsilon)) }
        let centred = g.node("Sub", [x, g.initializer(mean.reshape(statShape), name: "mean")])
        return g.node("Div", [centred, g.initializer(std.reshape(statShape), name: "std")])
    }
}
