import Foundation
import LeptonTensor

/// Adam (`torch.optim.Adam`): L2 weight decay added to the gradient. With
/// `decoupledWeightDecay`, AdamW (`torch.optim.AdamW`): the weights decay directly.
public class Adam: Optimizer {
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    let decoupledWeightDecay: Bool

    public init(parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0) {
        (self.beta1, self.beta2, self.epsilon, self.weightDecay) = (beta1, beta2, epsilon, weightDecay)
        decoupledWeightDecay = false
        super.init(parameters: parameters, learningRate: learningRate)
    }

    public init(_ module: Module, learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0) {
        (self.beta1, self.beta2, self.epsilon, self.weightDecay) = (beta1, beta2, epsilon, weightDecay)
        decoupledWeightDecay = false
        super.init(module, learningRate: learningRate)
    }

    init(parameters: [Tensor]?, module: Module?, learningRate: Float, beta1: Float, beta2: Float, epsilon: Float,
         weightDecay: Float, decoupled: Bool) {
        (self.beta1, self.beta2, self.epsilon, self.weightDecay) = (beta1, beta2, epsilon, weightDecay)
        decoupledWeightDecay = decoupled
        if let module { super.init(module, learningRate: learningRate) } else { super.init(parameters: parameters!, learningRate: learningRate) }
    }

    public override func update(_ parameter: Tensor, gradient: Tensor, state: inout [String: Tensor], learningRate: Float) {
        var g = gradient
        if weightDecay != 0 {
            if decoupledWeightDecay {
                parameter.assign(parameter * (1 - learningRate * weightDecay))
            } else {
                g = g + parameter * weightDecay
            }
        }
        let step = (state["step"]?.item() ?? 0) + 1
        let m = state["m"].map { $0 * beta1 + g * (1 - beta1) } ?? g * (1 - beta1)
        let v = state["v"].map { $0 * beta2 + g.square() * (1 - beta2) } ?? g.square() * (1 - beta2)
        state["m"] = m
        state["v"] = v
        state["step"] = Tensor(step)
        let correction1 = 1 - Float(Foundation.pow(Double(beta1), Double(step)))
        let correction2 = 1 - Float(Foundation.pow(Double(beta2), Double(step)))
        let denominator = v.sqrt() * (1 / correction2.squareRoot()) + epsilon
        parameter.assign(parameter - m / denominator * (learningRate / correction1))
    }
}

/// AdamW (`torch.optim.AdamW`): Adam with decoupled weight decay (default 0.01).
public final class AdamW: Adam {
    public override init(parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        super.init(parameters: parameters, module: nil, learningRate: learningRate, beta1: beta1, beta2: beta2,
                   epsilon: epsilon, weightDecay: weightDecay, decoupled: true)
    }

    public override init(_ module: Module, learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        super.init(parameters: nil, module: module, learningRate: learningRate, beta1: beta1, beta2: beta2,
                   epsilon: epsilon, weightDecay: weightDecay, decoupled: true)
    }
}
