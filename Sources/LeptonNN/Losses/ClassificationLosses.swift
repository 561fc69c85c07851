import LeptonTensor

/// Probabilities are clipped to `[ε, 1 − ε]` before the logarithm, as Keras does.
public let probabilityEpsilon: Float = 1e-7

/// Binary cross-entropy on probabilities (`torch.nn.BCELoss`, Keras `binary_crossentropy`).
public func binaryCrossEntropy(_ probabilities: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    checkSameShape("binaryCrossEntropy", probabilities, target)
    let p = probabilities.clamp(min: probabilityEpsilon, max: 1 - probabilityEpsilon)
    return reduction(-(target * p.log() + (1 - target) * (1 - p).log()))
}

/// Binary cross-entropy on logits, computed stably as `max(x, 0) − x·y + log(1 + e^−|x|)`
/// (`torch.nn.BCEWithLogitsLoss`).
public func binaryCrossEntropy(logits: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    checkSameShape("binaryCrossEntropy", logits, target)
    return reduction(logits.relu() - logits * target + (-logits.abs()).softplus())
}

/// Categorical cross-entropy with one-hot (or soft) targets over the last axis, on
/// probabilities (Keras `categorical_crossentropy`). `labelSmoothing` mixes the target with
/// the uniform distribution.
public func categoricalCrossEntropy(_ probabilities: Tensor, _ target: Tensor, labelSmoothing: Float = 0,
                                    reduction: Reduction = .mean) -> Tensor {
    checkSameShape("categoricalCrossEntropy", probabilities, target)
    let t = smooth(target, labelSmoothing)
    // Keras normalises the probabilities to sum to one before clipping.
    let p = (probabilities / probabilities.sum(axes: [-1], keepDims: true))
        .clamp(min: probabilityEpsilon, max: 1 - probabilityEpsilon)
    return reduction(-(t * p.log()).sum(axis: -1))
}

/// Categorical cross-entropy on logits (`torch.nn.CrossEntropyLoss` with probability targets).
public func categoricalCrossEntropy(logits: Tensor, _ target: Tensor, labelSmoothing: Float = 0,
                                    reduction: Reduction = .mean) -> Tensor {
    checkSameShape("categoricalCrossEntropy", logits, target)
    return reduction(-(smooth(target, labelSmoothing) * logits.logSoftmax(axis: -1)).sum(axis: -1))
}

/// Sparse categorical cross-entropy: `int32` class labels, probabilities over the last axis.
public func sparseCategoricalCrossEntropy(_ probabilities: Tensor, _ labels: Tensor, labelSmoothing: Float = 0,
                                          reduction: Reduction = .mean) -> Tensor {
    categoricalCrossEntropy(probabilities, oneHotLabels(labels, probabilities, "sparseCategoricalCrossEntropy"),
                            labelSmoothing: labelSmoothing, reduction: reduction)
}

/// Sparse categorical cross-entropy on logits (`torch.nn.CrossEntropyLoss` with class indices).
public func sparseCategoricalCrossEntropy(logits: Tensor, _ labels: Tensor, labelSmoothing: Float = 0,
                                          reduction: Reduction = .mean) -> Tensor {
    let logProbabilities = logits.logSoftmax(axis: -1)
    if labelSmoothing == 0 {
        layerRequire(labels.dtype == .int32 && labels.shape == Array(logits.shape.dropLast()),
                     "sparseCategoricalCrossEntropy: labels must be int32 of shape \(Array(logits.shape.dropLast())), got \(labels.dtype) \(labels.shape)")
        let picked = logProbabilities.gather(axis: -1, labels.unsqueeze(-1)).squeeze(-1)
        return reduction(-picked)
    }
    return categoricalCrossEntropy(logits: logits, oneHotLabels(labels, logits, "sparseCategoricalCrossEntropy"),
                                   labelSmoothing: labelSmoothing, reduction: reduction)
}

/// Kullback–Leibler divergence `Σ p · log(p / q)` over the last axis, with target `p` and
/// predicted `q` given as probabilities (Keras `kl_divergence`).
public func klDivergence(_ prediction: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    checkSameShape("klDivergence", prediction, target)
    let p = target.clamp(min: probabilityEpsilon, max: 1)
    let q = prediction.clamp(min: probabilityEpsilon, max: 1)
    return reduction((p * (p.log() - q.log())).sum(axis: -1))
}

private func smooth(_ target: Tensor, _ amount: Float) -> Tensor {
    layerRequire(amount >= 0 && amount <= 1, "label smoothing \(amount) must be in [0, 1]")
    guard amount > 0 else { return target }
    let classes = Float(target.shape.last ?? 1)
    return target * (1 - amount) + amount / classes
}

private func oneHotLabels(_ labels: Tensor, _ scores: Tensor, _ name: String) -> Tensor {
    layerRequire(labels.dtype == .int32 && labels.shape == Array(scores.shape.dropLast()),
                 "\(name): labels must be int32 of shape \(Array(scores.shape.dropLast())), got \(labels.dtype) \(labels.shape)")
    return Tensor.oneHot(labels, classes: scores.shape.last ?? 0)
}
