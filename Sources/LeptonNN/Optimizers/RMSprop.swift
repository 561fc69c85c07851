import LeptonTensor

/// RMSprop (`torch.optim.RMSprop`): a running mean of squared gradients scales each step;
/// optional momentum, centring and L2 weight decay. Defaults are Keras 3's (learning rate 1e-3,
/// ρ (`alpha`) 0.9, ε 1e-7), the same as ``OptimizerSpec``'s.
public final class RMSprop: Optimizer {
    public var alpha: Float
    public var epsilon: Float
    public var momentum: Float
    public var centered: Bool
    public var weightDecay: Float

    public init(parameters: [Tensor], learningRate: Float = 1e-3, alpha: Float = 0.9, epsilon: Float = 1e-7,
                momentum: Float = 0, centered: Bool = false, weightDecay: Float = 0) {
        (self.alpha, self.epsilon, self.momentum, self.centered, self.weightDecay) = (alpha, epsilon, momentum, centered, weightDecay)
        super.init(parameters: parameters, learningRate: learningRate)
    }

    public init(_ module: Module, learningRate: Float = 1e-3, alpha: Float = 0.9, epsilon: Float = 1e-7,
                momentum: Float = 0, centered: Bool = false, weightDecay: Float = 0) {
        (self.alpha, self.epsilon, self.momentum, self.centered, self.weightDecay) = (alpha, epsilon, momentum, centered, weightDecay)
        super.init(module, learningRate: learningRate)
    }

    public override func update(_ parameter: Tensor, gradient: Tensor, state: inout [String: Tensor], learningRate: Float) {
        let g = weightDecay != 0 ? gradient + parameter * weightDecay : gradient
        let square = (state["squareAverage"] ?? Tensor.zeros(like: g)) * alpha + g.square() * (1 - alpha)
        state["squareAverage"] = square
        var average: Tensor
        if centered {
            let gradAverage = (state["gradAverage"] ?? Tensor.zeros(like: g)) * alpha + g * (1 - alpha)
            state["gradAverage"] = gradAverage
            average = (square - gradAverage.square()).sqrt() + epsilon
        } else {
            average = square.sqrt() + epsilon
        }
        if momentum > 0 {
            let buffer = (state["momentum"] ?? Tensor.zeros(like: g)) * momentum + g / average
            state["momentum"] = buffer
            parameter.assign(parameter - buffer * learningRate)
        } else {
            parameter.assign(parameter - g / average * learningRate)
        }
    }
}

/// Adagrad (`torch.optim.Adagrad`): steps scaled by the root of the summed squared gradients.
/// Defaults are Keras 3's (learning rate 1e-3, initial accumulator 0.1, ε 1e-7).
public final class Adagrad: Optimizer {
    public var epsilon: Float
    public var learningRateDecay: Float
    public var weightDecay: Float
    public var initialAccumulator: Float

    public init(parameters: [Tensor], learningRate: Float = 1e-3, learningRateDecay: Float = 0, weightDecay: Float = 0,
                initialAccumulator: Float = 0.1, epsilon: Float = 1e-7) {
        (self.epsilon, self.learningRateDecay, self.weightDecay, self.initialAccumulator) = (epsilon, learningRateDecay, weightDecay, initialAccumulator)
        super.init(parameters: parameters, learningRate: learningRate)
    }

    public init(_ module: Module, learningRate: Float = 1e-3, learningRateDecay: Float = 0, weightDecay: Float = 0,
                initialAccumulator: Float = 0.1, epsilon: Float = 1e-7) {
        (self.epsilon, self.learningRateDecay, self.weightDecay, self.initialAccumulator) = (epsilon, learningRateDecay, weightDecay, initialAccumulator)
        super.init(module, learningRate: learningRate)
    }

    public override func update(_ parameter: Tensor, gradient: Tensor, state: inout [String: Tensor], learningRate: Float) {
        let g = weightDecay != 0 ? gradient + parameter * weightDecay : gradient
        let step = (state["step"]?.item() ?? 0) + 1
        state["step"] = Tensor(step)
        let sum = (state["sum"] ?? Tensor.full(g.shape, initialAccumulator)) + g.square()
        state["sum"] = sum
        let rate = learningRate / (1 + (step - 1) * learningRateDecay)
        parameter.assign(parameter - g / (sum.sqrt() + epsilon) * rate)
    }
}
