import LeptonTensor

/// Fraction of correct predictions; binary, categorical or sparse decided from the shapes, as
/// Keras's `"accuracy"` does.
public class Accuracy: Metric {
    public let name: String
    var correct = 0, total = 0

    public init(name: String = "accuracy") { self.name = name }
    public func reset() { correct = 0; total = 0 }
    public func update(prediction: Tensor, target: Tensor) {
        let (p, t) = decide(prediction, target)
        checkPrecondition(p.count == t.count, "\(name): \(p.count) predictions for \(t.count) targets (shapes \(prediction.shape), \(target.shape))")
        correct += zip(p, t).filter { $0 == $1 }.count
        total += p.count
    }
    public func result() -> Float { total == 0 ? 0 : Float(correct) / Float(total) }
    func decide(_ prediction: Tensor, _ target: Tensor) -> ([Int32], [Int32]) {
        ClassDecision.classes(prediction: prediction, target: target)
    }
}

/// Accuracy of probabilities thresholded at `threshold` (`keras.metrics.BinaryAccuracy`).
public final class BinaryAccuracy: Accuracy {
    public let threshold: Float
    public init(threshold: Float = 0.5) { self.threshold = threshold; super.init(name: "binary_accuracy") }
    override func decide(_ prediction: Tensor, _ target: Tensor) -> ([Int32], [Int32]) {
        (prediction.scalars.map { $0 > threshold ? 1 : 0 }, target.scalars.map { $0 > 0.5 ? 1 : 0 })
    }
}

/// Argmax of prediction against argmax of one-hot target (`keras.metrics.CategoricalAccuracy`).
public final class CategoricalAccuracy: Accuracy {
    public init() { super.init(name: "categorical_accuracy") }
    override func decide(_ prediction: Tensor, _ target: Tensor) -> ([Int32], [Int32]) {
        (prediction.argmax(axis: -1).int32Scalars, target.argmax(axis: -1).int32Scalars)
    }
}

/// Argmax of prediction against `int32` labels (`keras.metrics.SparseCategoricalAccuracy`).
public final class SparseCategoricalAccuracy: Accuracy {
    public init() { super.init(name: "sparse_categorical_accuracy") }
    override func decide(_ prediction: Tensor, _ target: Tensor) -> ([Int32], [Int32]) {
        (prediction.argmax(axis: -1).int32Scalars, ClassDecision.labels(target, classes: 0))
    }
}

/// Whether the true class is among the `k` highest scores (`keras.metrics.TopKCategoricalAccuracy`).
public final class TopKAccuracy: Metric {
    public let k: Int
    public let name: String
    private(set) var correct = 0, total = 0

    public init(k: Int = 5) { self.k = k; self.name = "top_\(k)_accuracy" }
    public func reset() { correct = 0; total = 0 }
    public func update(prediction: Tensor, target: Tensor) {
        let classes = prediction.shape.last ?? 1
        let scores = prediction.scalars
        let labels = ClassDecision.labels(target, classes: classes)
        checkPrecondition(labels.count * classes == scores.count,
                          "\(name): \(labels.count) targets for predictions of shape \(prediction.shape)")
        for (i, label) in labels.enumerated() {
            let row = scores[(i * classes)..<((i + 1) * classes)]
            let value = row[row.startIndex + Int(label)]
            if row.filter({ $0 > value }).count < k { correct += 1 }
        }
        total += labels.count
    }
    public func result() -> Float { total == 0 ? 0 : Float(correct) / Float(total) }
}
