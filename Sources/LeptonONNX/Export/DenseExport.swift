import LeptonNN
import LeptonTensor

/// `Dense`: `MatMul` with the `[in, units]` kernel (any input rank, as Lepton), `Add` of the
/// bias, then the activation.
struct DenseConverter: ONNXLayerConverter {
    let layerTypes: [Module.Type] = [Dense.self]

    func convert(_ layer: Module, _ step: ONNXLayerStep) throws -> String {
        let dense = layer as! Dense
        let affine = step.graph.dense(step.input, kernel: dense.kernel!, bias: dense.bias)
        return step.graph.activation(dense.activation, affine)
    }
}

/// `Activation`: the function's ONNX operator (see ``ONNXGraphBuilder/activation(_:_:)``).
struct ActivationConverter: ONNXLayerConverter {
    let layerTypes: [Module.Type] = [Activation.self]

    func convert(_ layer: Module, _ step: ONNXLayerStep) throws -> String {
        step.graph.activation((layer as! Activation).function, step.input)
    }
}

extension ONNXGraphBuilder {
    /// `x · kernel (+ bias)` over the last axis; the weights become initializers
    /// `scope.kernel` and `scope.bias`.
    public func dense(_ x: String, kernel: Tensor, bias: Tensor?) -> String {
        let product = node("MatMul", [x, initializer(kernel, name: "kernel")])
        guard let bias else { return product }
        return node("Add", [product, initializer(bias, name: "bias")])
    }

    /// Lepton's activation functions in opset-17 operators. Softmax and log-softmax run over the
    /// last axis, leaky ReLU has slope 0.2 and ELU α = 1 (Lepton's settings); GELU is the exact
    /// `0.5 · x · (1 + erf(x / √2))` (the `Gelu` operator only arrives in opset 20).
    public func activation(_ function: ActivationFunction, _ x: String) -> String {
        switch function {
        case .linear: return x
        case .relu: return node("Relu", [x])
        case .sigmoid: return node("Sigmoid", [x])
        case .tanh: return node("Tanh", [x])
        case .softmax: return node("Softmax", [x], .int("axis", -1))
        case .logSoftmax: return node("LogSoftmax", [x], .int("axis", -1))
        case .elu: return node("Elu", [x], .float("alpha", 1))
        case .leakyRelu: return node("LeakyRelu", [x], .float("alpha", 0.2))
        case .softplus: return node("Softplus", [x])
        case .gelu:
            let erf = node("Erf", [node("Mul", [x, scalar(Float(0.5.squareRoot()), name: "inverse_sqrt2")])])
            let half = node("Mul", [x, scalar(0.5, name: "half")])
            return node("Mul", [half, node("Add", [erf, scalar(1, name: "one")])])
        }
    }
}
