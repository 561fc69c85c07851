import LeptonTensor

/// Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay, matching
/// `torch.optim.SGD` update for update.
public final class SGD: Optimizer {
    public var momentum: Float
    public var dampening: Float
    public var nesterov: Bool
    public var weightDecay: Float

    public init(parameters: [Tensor], learningRate: Float = 0.01, momentum: Float = 0, dampening: Float = 0,
                nesterov: Bool = false, weightDecay: Float = 0) {
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        super.init(parameters: parameters, learningRate: learningRate)
    }

    public init(_ module: Module, learningRate: Float = 0.01, momentum: Float = 0, dampening: Float = 0,
                nesterov: Bool = false, weightDecay: Float = 0) {
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        super.init(module, learningRate: learningRate)
    }

    public override func update(_ parameter: Tensor, gradient: Tensor, state: inout [String: Tensor], learningRate: Float) {
        var d = weightDecay != 0 ? gradient + parameter * weightDecay : gradient
        if momentum != 0 {
            let buffer = state["momentum"].map { $0 * momentum + d * (1 - dampening) } ?? d.copy()
            state["momentum"] = buffer
            d = nesterov ? d + buffer * momentum : buffer
        }
        parameter.assign(parameter - d * learningRate)
    }
}
