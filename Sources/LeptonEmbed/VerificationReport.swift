import Foundation
import LeptonNN
import LeptonTensor

/// Verification of an embedding on labelled samples: every pair of samples is scored by the
/// cosine similarity of their embeddings, pairs of one identity are genuine and the others
/// impostors, and the ROC curve gives the threshold for each target false accept rate.
public struct VerificationReport: Sendable {
    /// One target: the threshold it sets and the true accept rate there.
    public struct OperatingPoint: Sendable, Equatable {
        public let targetFalseAcceptRate: Double
        public let threshold: Double
        public let falseAcceptRate: Double
        public let trueAcceptRate: Double
    }

    public let roc: ROCCurve
    /// In the order of the targets asked for.
    public let operatingPoints: [OperatingPoint]
    public let samples: Int
    public let identities: Int

    /// The report over `embeddings` (`[count, dimensions]`) of samples with `labels` (one per row).
    /// - Throws: ``EmbedError`` when the labels do not match the rows, or there are too few
    ///   samples to form genuine and impostor pairs.
    public init(embeddings: Tensor, labels: [Int], falseAcceptRates: [Double] = [1e-2, 1e-3]) throws {
        guard embeddings.rank == 2, embeddings.shape[0] == labels.count else {
            throw EmbedError("verification: expected one label per embedding row, got \(labels.count) labels for embeddings \(embeddings.shape)")
        }
        let n = labels.count
        let unit = Self.unitRows(embeddings)
        let similarities = unit.matmul(unit.transposed()).scalars
        var genuine: [Double] = [], impostor: [Double] = []
        impostor.reserveCapacity(n * (n - 1) / 2)
        for i in 0..<n {
            for j in (i + 1)..<n {
                let score = Double(similarities[i * n + j])
                if labels[i] == labels[j] { genuine.append(score) } else { impostor.append(score) }
            }
        }
        let curve = try ROCCurve(genuine: genuine, impostor: impostor)
        roc = curve
        operatingPoints = falseAcceptRates.map { target in
            let point = curve.operatingPoint(falseAcceptRate: target)
            // Accepting nothing: just above the largest possible cosine, so it can be written as JSON.
            return OperatingPoint(targetFalseAcceptRate: target, threshold: point.threshold.isFinite ? point.threshold : 1.0.nextUp,
                                  falseAcceptRate: point.falseAcceptRate, trueAcceptRate: point.trueAcceptRate)
        }
        samples = n
        identities = Set(labels).count
    }

    /// `ROC AUC A, TAR@FAR=1e-2 T, threshold C` (every target), as `lepton embed` prints it.
    public var summary: String {
        let points = operatingPoints.map { p in
            String(format: "TAR@FAR=%@ %.4f, threshold %.4f", Self.rate(p.targetFalseAcceptRate), p.trueAcceptRate, p.threshold)
        }
        return ([String(format: "ROC AUC %.4f", roc.auc)] + points).joined(separator: ", ")
    }

    /// `1e-2` for 0.01, as rates are written in papers.
    static func rate(_ value: Double) -> String {
        let exponent = log10(value)
        return exponent.rounded() == exponent ? "1e\(Int(exponent))" : String(format: "%g", value)
    }

    /// Rows scaled to unit length (zero rows stay zero), without recording gradients.
    static func unitRows(_ rows: Tensor) -> Tensor {
        Tensor.withoutGrad { rows.unitNormalized() }
    }

    /// One vector scaled to unit length.
    static func unit(_ vector: [Float]) -> [Float] {
        unitRows(Tensor(vector, shape: [1, vector.count])).scalars
    }
}
