import LeptonTensor

/// Counts of a confusion matrix over classes (`[actual][predicted]`), accumulated over batches.
public final class ConfusionMatrix: Metric {
    public let classes: Int
    public let name = "confusion_matrix"
    /// `counts[actual][predicted]`.
    public private(set) var counts: [[Int]]

    public init(classes: Int) {
        self.classes = classes
        counts = Array(repeating: Array(repeating: 0, count: classes), count: classes)
    }
    public func reset() { counts = Array(repeating: Array(repeating: 0, count: classes), count: classes) }
    public func update(prediction: Tensor, target: Tensor) {
        let (p, t) = ClassDecision.classes(prediction: prediction, target: target)
        for (a, b) in zip(t, p) where Int(a) < classes && Int(b) < classes { counts[Int(a)][Int(b)] += 1 }
    }
    /// Overall accuracy (the trace over the total).
    public func result() -> Float {
        let total = counts.joined().reduce(0, +)
        return total == 0 ? 0 : Float((0..<classes).reduce(0) { $0 + counts[$1][$1] }) / Float(total)
    }
}

/// Binary precision, recall and F1 from thresholded predictions (class 1 positive); for
/// multi-class input, macro-averaged over classes.
public class BinaryCounts: Metric {
    public let name: String
    public let threshold: Float
    var truePositives: [Int] = [], falsePositives: [Int] = [], falseNegatives: [Int] = []

    init(name: String, threshold: Float) { self.name = name; self.threshold = threshold }
    public func reset() { truePositives = []; falsePositives = []; falseNegatives = [] }
    public func update(prediction: Tensor, target: Tensor) {
        let (p, t) = ClassDecision.classes(prediction: prediction, target: target, threshold: threshold)
        let binary = (prediction.shape.last ?? 1) == 1 || prediction.rank == 1
        let classes = binary ? 2 : (prediction.shape.last ?? 2)
        if truePositives.count != classes {
            truePositives = Array(repeating: 0, count: classes)
            falsePositives = truePositives
            falseNegatives = truePositives
        }
        for (pred, actual) in zip(p, t) {
            if pred == actual { truePositives[Int(pred)] += 1 } else {
                falsePositives[Int(pred)] += 1
                falseNegatives[Int(actual)] += 1
            }
        }
    }
    /// The classes averaged: only class 1 for binary input, every class otherwise.
    var averagedClasses: [Int] { truePositives.count == 2 ? [1] : Array(truePositives.indices) }
    func precision(_ c: Int) -> Float {
        let d = truePositives[c] + falsePositives[c]
        return d == 0 ? 0 : Float(truePositives[c]) / Float(d)
    }
    func recall(_ c: Int) -> Float {
        let d = truePositives[c] + falseNegatives[c]
        return d == 0 ? 0 : Float(truePositives[c]) / Float(d)
    }
    func average(_ f: (Int) -> Float) -> Float {
        let cs = averagedClasses
        return cs.isEmpty ? 0 : cs.map(f).reduce(0, +) / Float(cs.count)
    }
    public func result() -> Float { fatalError("subclass") }
}

/// `TP / (TP + FP)` (`keras.metrics.Precision`).
public final class Precision: BinaryCounts {
    public init(threshold: Float = 0.5) { super.init(name: "precision", threshold: threshold) }
    public override func result() -> Float { average(precision) }
}

/// `TP / (TP + FN)` (`keras.metrics.Recall`).
public final class Recall: BinaryCounts {
    public init(threshold: Float = 0.5) { super.init(name: "recall", threshold: threshold) }
    public override func result() -> Float { average(recall) }
}

/// Harmonic mean of precision and recall (`keras.metrics.F1Score`).
public final class F1Score: BinaryCounts {
    public init(threshold: Float = 0.5) { super.init(name: "f1", threshold: threshold) }
    public override func result() -> Float {
        average { c in
            let (p, r) = (precision(c), recall(c))
            return p + r == 0 ? 0 : 2 * p * r / (p + r)
        }
    }
}

/// Area under the ROC curve of binary scores, from `thresholds` buckets as Keras computes it
/// (`keras.metrics.AUC`, trapezoidal rule).
public final class AUC: Metric {
    public let name = "auc"
    public let thresholds: Int
    private(set) var positives: [Int], negatives: [Int]

    public init(thresholds: Int = 200) {
        self.thresholds = thresholds
        positives = Array(repeating: 0, count: thresholds + 1)
        negatives = positives
    }
    public func reset() {
        positives = Array(repeating: 0, count: thresholds + 1)
        negatives = positives
    }
    public func update(prediction: Tensor, target: Tensor) {
        for (score, label) in zip(prediction.scalars, target.scalars) {
            let bucket = Swift.min(Swift.max(Int((score * Float(thresholds)).rounded(.down)), 0), thresholds)
            if label > 0.5 { positives[bucket] += 1 } else { negatives[bucket] += 1 }
        }
    }
    public func result() -> Float { Self.area(positives: positives, negatives: negatives) }

    /// The area under the ROC curve of bucketed positive and negative counts.
    static func area(positives: [Int], negatives: [Int]) -> Float {
        let thresholds = positives.count - 1
        let totalP = positives.reduce(0, +), totalN = negatives.reduce(0, +)
        guard totalP > 0, totalN > 0 else { return 0 }
        // Sweep thresholds from high to low: (FPR, TPR) points.
        var tp = 0, fp = 0, area: Double = 0
        var lastTPR = 0.0, lastFPR = 0.0
        for b in stride(from: thresholds, through: 0, by: -1) {
            tp += positives[b]
            fp += negatives[b]
            let tpr = Double(tp) / Double(totalP), fpr = Double(fp) / Double(totalN)
            area += (fpr - lastFPR) * (tpr + lastTPR) / 2
            (lastTPR, lastFPR) = (tpr, fpr)
        }
        return Float(area)
    }
}
