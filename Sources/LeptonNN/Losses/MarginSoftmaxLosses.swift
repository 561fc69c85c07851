import Foundation
import LeptonTensor

/// The angular or cosine margin of ``marginSoftmaxLoss(_:_:scale:margin:kind:)``.
public enum MarginKind: String, Sendable, CaseIterable {
    /// Additive angular margin, `cos(θ + m)` for the true class (ArcFace, Deng et al., 2019).
    case arcFace = "arcface"
    /// Additive cosine margin, `cos θ − m` for the true class (CosFace, Wang et al., 2018).
    case cosFace = "cosface"
}

/// Softmax cross-entropy over scaled cosines with a margin on the true class: `cosines` are a
/// ``CosineDense`` head's outputs (`[batch, classes]`, in −1…1) and `labels` int32 class ids.
/// ArcFace falls back to `cos θ − m·sin m` where `θ + m` would pass π (InsightFace's rule), so the
/// target logit keeps decreasing in θ.
public func marginSoftmaxLoss(_ cosines: Tensor, _ labels: Tensor, scale: Float = 30, margin: Float = 0.3,
                              kind: MarginKind = .arcFace) -> Tensor {
    layerRequire(cosines.rank == 2, "marginSoftmaxLoss: expected cosines [batch, classes], got \(cosines.shape)")
    layerRequire(labels.dtype == .int32 && labels.shape == [cosines.shape[0]],
                 "marginSoftmaxLoss: labels must be int32 of shape [\(cosines.shape[0])], got \(labels.dtype) \(labels.shape)")
    let oneHot = Tensor.oneHot(labels, classes: cosines.shape[1])
    let target = (cosines * oneHot).sum(axis: -1, keepDims: true)
    let adjusted: Tensor
    switch kind {
    case .cosFace:
        adjusted = target - margin
    case .arcFace:
        let sine = (1 - target.square()).clamp(min: 1e-7).sqrt()
        let withMargin = target * cos(margin) - sine * sin(margin)
        adjusted = Tensor.where(target.greater(cos(Float.pi - margin)), withMargin, target - margin * sin(margin))
    }
    let logits = scale * (cosines + oneHot * (adjusted - target))
    return sparseCategoricalCrossEntropy(logits: logits, labels)
}
