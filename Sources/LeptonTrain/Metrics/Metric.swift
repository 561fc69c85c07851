import LeptonTensor

/// A metric accumulated over batches (`keras.metrics.Metric`): ``reset()`` at the start of an
/// epoch, ``update(prediction:target:)`` after each batch, ``result()`` for the running value.
public protocol Metric: AnyObject {
    /// The key in progress output and history (`"accuracy"`, `"auc"`, …).
    var name: String { get }
    /// Clears the accumulated state.
    func reset()
    /// Adds one batch.
    func update(prediction: Tensor, target: Tensor)
    /// The value over everything since the last reset.
    func result() -> Float
}

/// Builds metrics from the names Keras uses.
public enum Metrics {
    /// The metric Keras names `name` (`"accuracy"`/`"acc"`, `"binary_accuracy"`,
    /// `"categorical_accuracy"`, `"sparse_categorical_accuracy"`, `"top_k_accuracy"` (k = 5),
    /// `"precision"`, `"recall"`, `"f1"`, `"auc"`, `"mse"`, `"mae"`, `"rmse"`).
    /// - Throws: ``TrainingError`` listing the known names.
    public static func named(_ name: String) throws -> Metric {
        switch name.lowercased() {
        case "accuracy", "acc": return Accuracy()
        case "binary_accuracy": return BinaryAccuracy()
        case "categorical_accuracy": return CategoricalAccuracy()
        case "sparse_categorical_accuracy": return SparseCategoricalAccuracy()
        case "top_k_accuracy", "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy": return TopKAccuracy(k: 5)
        case "precision": return Precision()
        case "recall": return Recall()
        case "f1", "f1_score": return F1Score()
        case "auc": return AUC()
        case "mse", "mean_squared_error": return MeanSquaredErrorMetric()
        case "mae", "mean_absolute_error": return MeanAbsoluteErrorMetric()
        case "rmse", "root_mean_squared_error": return RootMeanSquaredErrorMetric()
        default:
            throw TrainingError("unknown metric '\(name)'; expected one of accuracy, binary_accuracy, categorical_accuracy, "
                                + "sparse_categorical_accuracy, top_k_accuracy, precision, recall, f1, auc, mse, mae, rmse")
        }
    }
}

/// Per-sample predicted and true classes, from the shapes Keras's `"accuracy"` looks at.
enum ClassDecision {
    /// Binary when the prediction has one column (threshold 0.5); otherwise the argmax, with
    /// targets either `int32` labels or one-hot rows.
    static func classes(prediction: Tensor, target: Tensor, threshold: Float = 0.5) -> (predicted: [Int32], actual: [Int32]) {
        if (prediction.shape.last ?? 1) == 1 || prediction.rank == 1 {
            let p = prediction.scalars.map { Int32($0 > threshold ? 1 : 0) }
            let t = target.scalars.map { Int32($0 > 0.5 ? 1 : 0) }
            return (p, t)
        }
        let p = prediction.argmax(axis: -1).int32Scalars
        return (p, labels(target, classes: prediction.shape.last ?? 1))
    }

    /// Class labels from `int32` labels, float labels (`[N]` or `[N, 1]`, as Keras's sparse
    /// accuracy accepts) or one-hot rows `[N, classes]`.
    static func labels(_ target: Tensor, classes: Int) -> [Int32] {
        let oneHot = target.dtype != .int32 && target.rank >= 2 && target.shape.last == classes && classes > 1
        return oneHot ? target.argmax(axis: -1).int32Scalars : target.scalars.map { Int32($0.rounded()) }
    }
}
