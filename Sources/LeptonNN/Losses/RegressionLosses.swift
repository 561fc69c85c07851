import LeptonTensor


/// Mean squared error (`keras.losses.MeanSquaredError`, `torch.nn.MSELoss`); with `.mean`,
/// the mean over every element.
public func meanSquaredError(_ prediction: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    checkSameShape("meanSquaredError", prediction, target)
    return reduction((prediction - target).square())
}

/// Mean absolute error (`torch.nn.L1Loss`).
public func meanAbsoluteError(_ prediction: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    checkSameShape("meanAbsoluteError", prediction, target)
    return reduction((prediction - target).abs())
}

/// Huber loss: quadratic within `delta`, linear beyond (`torch.nn.HuberLoss`).
public func huberLoss(_ prediction: Tensor, _ target: Tensor, delta: Float = 1, reduction: Reduction = .mean) -> Tensor {
    checkSameShape("huberLoss", prediction, target)
    let error = (prediction - target).abs()
    let quadratic = error.clamp(max: delta)
    let linear = error - quadratic
    return reduction(quadratic.square() * 0.5 + linear * delta)
}
