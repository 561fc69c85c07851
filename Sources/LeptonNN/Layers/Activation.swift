import LeptonTensor

/// An activation function by name, as Keras layers take them (`activation: .relu`).
public enum ActivationFunction: String, Sendable, Codable, CaseIterable {
    case linear, relu, sigmoid, tanh, softmax, logSoftmax, gelu, elu, leakyRelu, softplus

    /// Applies the function (softmax over the last axis).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .linear: return x
        case .relu: return x.relu()
        case .sigmoid: return x.sigmoid()
        case .tanh: return x.tanh()
        case .softmax: return x.softmax(axis: -1)
        case .logSoftmax: return x.logSoftmax(axis: -1)
        case .gelu: return x.gelu()
        case .elu: return x.elu()
        case .leakyRelu: return x.leakyRelu(0.2)
        case .softplus: return x.softplus()
        }
    }
}

/// A layer that applies an activation function (`keras.layers.Activation`).
public final class Activation: Module {
    /// The function applied.
    public let function: ActivationFunction

    /// A layer applying `function`.
    public init(_ function: ActivationFunction) {
        self.function = function
    }

    public override func forward(_ input: Tensor) -> Tensor { function(input) }
}
