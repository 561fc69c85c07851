import Foundation
import LeptonTensor

/// Adam (the update of `torch.optim.Adam`): L2 weight decay added to the gradient. With
/// `decoupledWeightDecay`, AdamW (`torch.optim.AdamW`): the weights decay directly.
/// Defaults are Keras 3's (ε 1e-7; AdamW weight decay 0.004), the same as ``OptimizerSpec``'s.
public class Adam: Optimizer {
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    let decoupledWeightDecay: Bool

    public init(parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-7, weightDecay: Float = 0) {
        (self.beta1, self.beta2, self.epsilon, self.weightDecay) = (beta1, beta2, epsilon, weightDecay)
        decoupledWeightDecay = false
        super.init(parameters: parameters, learningRate: learningRate)
    }

    public init(_ module: Module, learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-7, weightDecay: Float = 0) {
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
        // One fused pass per parameter (the backend's `adamUpdate`): the moments are updated in
        // place, with the same float32 arithmetic as the composed formula
        // m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − m / (√v/√c₂ + ε) · lr/c₁.
        let step = (state["step"]?.item() ?? 0) + 1
        let backend = parameter.backend
        let m = state["m"] ?? Tensor.zeros(parameter.shape, backend: backend)
        let v = state["v"] ?? Tensor.zeros(parameter.shape, backend: backend)
        precondition(m.count == parameter.count && v.count == parameter.count && gradient.count == parameter.count,
                     "Adam: state or gradient does not match parameter shape \(parameter.shape)")
        let g = gradient.dtype == .float32 ? gradient : gradient.cast(to: .float32)
        let p = AdamParameters(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                               weightDecay: weightDecay, decoupledWeightDecay: decoupledWeightDecay, step: Int(step))
        backend.adamUpdate(p, parameter: parameter.floats, gradient: g.floats, m: m.floats, v: v.floats,
                           count: parameter.count)
        state["m"] = m
        state["v"] = v
        state["step"] = Tensor(step)
    }
}

/// AdamW (`torch.optim.AdamW`): Adam with decoupled weight decay (default 0.01).
public final class AdamW: Adam {
    public override init(parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-7, weightDecay: Float = 0.004) {
        super.init(parameters: parameters, module: nil, learningRate: learningRate, beta1: beta1, beta2: beta2,
                   epsilon: epsilon, weightDecay: weightDecay, decoupled: true)
    }

    public override init(_ module: Module, learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-7, weightDecay: Float = 0.004) {
        super.init(parameters: nil, module: module, learningRate: learningRate, beta1: beta1, beta2: beta2,
                   epsilon: epsilon, weightDecay: weightDecay, decoupled: true)
    }
}
