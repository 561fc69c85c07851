import LeptonTensor

/// How ``tripletLoss(_:_:margin:mining:)`` picks each triplet's negative inside a batch.
public enum TripletMining: String, Sendable, CaseIterable {
    /// For every anchor, its farthest positive and its nearest negative (Hermans et al., 2017).
    case batchHard = "batch_hard"
    /// For every anchor–positive pair, the nearest negative farther than the positive; the
    /// farthest negative when there is none (FaceNet, Schroff et al., 2015; TF-Addons'
    /// `TripletSemiHardLoss`).
    case semiHard = "semi_hard"
}

/// Euclidean distances between the rows of `embeddings` (`[batch, dimensions]` → `[batch, batch]`),
/// computed as `√(|a|² + |b|² − 2a·b)` with a floor that keeps the gradient finite at zero.
public func pairwiseDistances(_ embeddings: Tensor) -> Tensor {
    layerRequire(embeddings.rank == 2, "pairwiseDistances: expected [batch, dimensions], got \(embeddings.shape)")
    let norms = embeddings.square().sum(axis: -1, keepDims: true)
    let squared = norms + norms.transposed() - 2 * embeddings.matmul(embeddings.transposed())
    return (squared.clamp(min: 0) + 1e-12).sqrt()
}

/// Triplet loss mined inside the batch: `mean(max(0, d(a, p) − d(a, n) + margin))` over the
/// triplets `mining` picks, with `labels` (`[batch]`, class ids) saying which rows share an
/// identity. Anchors without a positive or a negative in the batch add nothing; a batch without
/// any triplet gives 0.
public func tripletLoss(_ embeddings: Tensor, _ labels: Tensor, margin: Float = 0.2,
                        mining: TripletMining = .semiHard) -> Tensor {
    let ids = identityLabels(labels, embeddings, "tripletLoss")
    let distances = pairwiseDistances(embeddings)
    let d = distances.scalars, n = ids.count
    var anchors: [Int32] = [], positives: [Int32] = [], negatives: [Int32] = []
    for a in 0..<n {
        let sameRow = (0..<n).filter { $0 != a && ids[$0] == ids[a] }
        let others = (0..<n).filter { ids[$0] != ids[a] }
        guard !sameRow.isEmpty, !others.isEmpty else { continue }
        let farthestNegative = others.max { d[a * n + $0] < d[a * n + $1] }!
        switch mining {
        case .batchHard:
            anchors.append(Int32(a))
            positives.append(Int32(sameRow.max { d[a * n + $0] < d[a * n + $1] }!))
            negatives.append(Int32(others.min { d[a * n + $0] < d[a * n + $1] }!))
        case .semiHard:
            for p in sameRow {
                let positiveDistance = d[a * n + p]
                let semiHard = others.filter { d[a * n + $0] > positiveDistance }.min { d[a * n + $0] < d[a * n + $1] }
                anchors.append(Int32(a))
                positives.append(Int32(p))
                negatives.append(Int32(semiHard ?? farthestNegative))
            }
        }
    }
    guard !anchors.isEmpty else { return (distances * 0).sum() }
    let count = anchors.count
    let rows = distances.indexSelect(axis: 0, Tensor(int32: anchors, shape: [count]))
    let dp = rows.gather(axis: 1, Tensor(int32: positives, shape: [count, 1]))
    let dn = rows.gather(axis: 1, Tensor(int32: negatives, shape: [count, 1]))
    return (dp - dn + margin).relu().mean()
}

/// Contrastive loss over every pair of rows in the batch (Hadsell et al., 2006): `d²` for pairs of
/// one identity, `max(0, margin − d)²` for pairs of two, averaged over the pairs. A
/// `positiveMargin` above 0 stops pulling a pair of one identity once it is that close,
/// `max(0, d − positiveMargin)²` (pytorch-metric-learning's `pos_margin`), so that an identity's
/// samples are not all pulled onto one point.
public func pairwiseContrastiveLoss(_ embeddings: Tensor, _ labels: Tensor, margin: Float = 1,
                                    positiveMargin: Float = 0) -> Tensor {
    let ids = identityLabels(labels, embeddings, "pairwiseContrastiveLoss")
    let n = ids.count
    guard n > 1 else { return (embeddings * 0).sum() }
    var same = [Float](repeating: 0, count: n * n), different = same
    for i in 0..<n { for j in (i + 1)..<n { if ids[i] == ids[j] { same[i * n + j] = 1 } else { different[i * n + j] = 1 } } }
    let distances = pairwiseDistances(embeddings)
    let pairs = Float(n * (n - 1) / 2)
    let pull = positiveMargin > 0 ? (distances - positiveMargin).relu().square() : distances.square()
    let pulled = Tensor(same, shape: [n, n]) * pull
    let pushed = Tensor(different, shape: [n, n]) * (margin - distances).relu().square()
    return (pulled + pushed).sum() / pairs
}

/// The class ids of `labels` (`[batch]`, int32, or float holding whole numbers).
private func identityLabels(_ labels: Tensor, _ embeddings: Tensor, _ name: String) -> [Int32] {
    layerRequire(embeddings.rank == 2, "\(name): expected embeddings [batch, dimensions], got \(embeddings.shape)")
    layerRequire(labels.count == embeddings.shape[0] && labels.rank <= 2,
                 "\(name): expected one label per embedding (\(embeddings.shape[0])), got \(labels.shape)")
    return labels.dtype == .int32 ? labels.int32Scalars : labels.scalars.map { Int32($0.rounded()) }
}
