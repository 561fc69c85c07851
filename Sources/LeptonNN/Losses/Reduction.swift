import LeptonTensor

/// How a loss combines per-sample values.
public enum Reduction: String, Sendable, Codable {
    /// The mean over samples (Keras's and PyTorch's default).
    case mean
    /// The sum over samples.
    case sum
    /// One value per sample.
    case none

    /// Applies the reduction to per-sample losses.
    public func callAsFunction(_ losses: Tensor) -> Tensor {
        switch self {
        case .mean: return losses.mean()
        case .sum: return losses.sum()
        case .none: return losses
        }
    }
}

func checkSameShape(_ name: String, _ prediction: Tensor, _ target: Tensor) {
    layerRequire(prediction.shape == target.shape,
                 "\(name): prediction shape \(prediction.shape) differs from target shape \(target.shape)")
}
