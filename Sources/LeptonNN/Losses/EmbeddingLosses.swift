import LeptonTensor

/// Cosine similarity of rows along the last axis.
public func cosineSimilarity(_ a: Tensor, _ b: Tensor, epsilon: Float = 1e-8) -> Tensor {
    let dot = (a * b).sum(axis: -1)
    let norms = (a.square().sum(axis: -1) * b.square().sum(axis: -1)).clamp(min: epsilon * epsilon).sqrt()
    return dot / norms
}

/// Cosine embedding loss (`torch.nn.CosineEmbeddingLoss`): `1 − cos` for pairs labelled 1,
/// `max(0, cos − margin)` for pairs labelled −1.
public func cosineEmbeddingLoss(_ a: Tensor, _ b: Tensor, _ labels: Tensor, margin: Float = 0,
                                reduction: Reduction = .mean) -> Tensor {
    checkSameShape("cosineEmbeddingLoss", a, b)
    let cos = cosineSimilarity(a, b)
    let positive = labels.greater(0)
    return reduction(Tensor.where(positive, 1 - cos, (cos - margin).relu()))
}

/// Contrastive loss (Hadsell et al.) on embedding pairs: `d²` for similar pairs (label 1),
/// `max(0, margin − d)²` for dissimilar ones (label 0), with `d` the Euclidean distance.
public func contrastiveLoss(_ a: Tensor, _ b: Tensor, _ labels: Tensor, margin: Float = 1,
                            reduction: Reduction = .mean) -> Tensor {
    checkSameShape("contrastiveLoss", a, b)
    let squared = (a - b).square().sum(axis: -1)
    let distance = (squared + 1e-12).sqrt()
    return reduction(labels * squared + (1 - labels) * (margin - distance).relu().square())
}

/// Triplet margin loss (`torch.nn.TripletMarginLoss`, p = 2):
/// `max(0, d(anchor, positive) − d(anchor, negative) + margin)`.
public func tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: Float = 1,
                              epsilon: Float = 1e-6, reduction: Reduction = .mean) -> Tensor {
    checkSameShape("tripletMarginLoss", anchor, positive)
    checkSameShape("tripletMarginLoss", anchor, negative)
    let dp = (anchor - positive + epsilon).square().sum(axis: -1).sqrt()
    let dn = (anchor - negative + epsilon).square().sum(axis: -1).sqrt()
    return reduction((dp - dn + margin).relu())
}
