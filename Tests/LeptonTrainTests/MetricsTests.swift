import Foundation
import Testing
import LeptonNN
import LeptonTensor
import LeptonTrain

@Suite struct MetricsTests {
    func value(_ metric: Metric, _ prediction: Tensor, _ target: Tensor) -> Float {
        metric.reset()
        metric.update(prediction: prediction, target: target)
        return metric.result()
    }

    func close(_ a: Float, _ b: Double, _ tolerance: Double = 1e-6) -> Bool { abs(Double(a) - b) <= tolerance }

    /// Scores for 4 samples over 3 classes; argmax = [2, 0, 1, 1].
    let scores = Tensor(rows: [[0.1, 0.2, 0.7], [0.5, 0.3, 0.2], [0.2, 0.6, 0.2], [0.3, 0.4, 0.3]])

    @Test func accuracyDetectsBinaryCategoricalAndSparseTargets() {
        // Binary: one column, threshold 0.5.
        #expect(value(Accuracy(), Tensor([0.9, 0.2, 0.6, 0.4], shape: [4, 1]), Tensor([1, 0, 0, 0], shape: [4, 1])) == 0.75)
        #expect(value(Accuracy(), Tensor([0.9, 0.2]), Tensor([1, 1])) == 0.5)
        // Categorical: one-hot float targets.
        let onehot = Tensor(rows: [[0, 0, 1], [1, 0, 0], [0, 0, 1], [0, 1, 0]])
        #expect(value(Accuracy(), scores, onehot) == 0.75)
        // Sparse: int32 labels, and float labels [N] or [N, 1] as Keras accepts.
        #expect(value(Accuracy(), scores, Tensor(indices: [2, 0, 2, 1])) == 0.75)
        #expect(value(Accuracy(), scores, Tensor([2, 0, 2, 1])) == 0.75)
        #expect(value(Accuracy(), scores, Tensor([2, 0, 2, 1], shape: [4, 1])) == 0.75)
        #expect(value(Accuracy(), scores, Tensor(int32: [2, 0, 2, 1], shape: [4, 1])) == 0.75)
        #expect(value(SparseCategoricalAccuracy(), scores, Tensor([2, 0, 1, 1])) == 1)
        #expect(value(CategoricalAccuracy(), scores, onehot) == 0.75)
        #expect(value(BinaryAccuracy(threshold: 0.3), Tensor([0.35, 0.2, 0.8]), Tensor([1, 0, 0])) == Float(2) / 3)
        #expect(Accuracy().result() == 0)
    }

    @Test func accuracyAccumulatesOverBatchesUntilReset() {
        let metric = Accuracy()
        metric.update(prediction: scores, target: Tensor(indices: [2, 0, 1, 1]))
        metric.update(prediction: scores, target: Tensor(indices: [0, 0, 0, 0]))
        #expect(metric.result() == 5.0 / 8)
        metric.reset()
        #expect(metric.result() == 0)
    }

    @Test func precisionRecallAndF1ForBinaryInput() {
        let p = Tensor([0.9, 0.8, 0.3, 0.6, 0.1, 0.7], shape: [6, 1])
        let t = Tensor([1, 0, 1, 1, 0, 0], shape: [6, 1])
        // TP = 2, FP = 2, FN = 1.
        #expect(close(value(Precision(), p, t), 0.5))
        #expect(close(value(Recall(), p, t), 2.0 / 3))
        #expect(close(value(F1Score(), p, t), 4.0 / 7))
        #expect(close(value(Precision(threshold: 0.75), p, t), 0.5))   // TP 1 (0.9), FP 1 (0.8)
        #expect(value(Precision(), Tensor([0.1, 0.2]), Tensor([1, 0])) == 0)   // nothing predicted positive
    }

    @Test func precisionRecallAndF1MacroAverageOverClasses() {
        // predicted [0, 1, 2, 2, 1, 0, 2], actual [0, 2, 2, 1, 1, 0, 0].
        let predicted = [0, 1, 2, 2, 1, 0, 2]
        let p = Tensor(rows: predicted.map { c in (0..<3).map { $0 == c ? 0.8 : 0.1 } })
        let t = Tensor(indices: [0, 2, 2, 1, 1, 0, 0])
        #expect(close(value(Precision(), p, t), (1 + 0.5 + 1.0 / 3) / 3))
        #expect(close(value(Recall(), p, t), (2.0 / 3 + 0.5 + 0.5) / 3))
        #expect(close(value(F1Score(), p, t), (0.8 + 0.5 + 0.4) / 3))
    }

    /// AUC by the Mann–Whitney statistic: the probability that a random positive outscores a
    /// random negative, ties counting one half.
    func mannWhitney(_ scores: [Float], _ labels: [Float]) -> Double {
        let pos = zip(scores, labels).filter { $0.1 > 0.5 }.map(\.0), neg = zip(scores, labels).filter { $0.1 <= 0.5 }.map(\.0)
        var wins = 0.0
        for a in pos { for b in neg { wins += a > b ? 1 : (a == b ? 0.5 : 0) } }
        return wins / Double(pos.count * neg.count)
    }

    @Test func aucMatchesTheMannWhitneyStatistic() {
        var g = RandomGenerator(seed: 8)
        let n = 400
        let labels = (0..<n).map { _ in Float(g.next() % 2) }
        // Scores on the thresholds' grid: the buckets are exact, so AUC equals Mann–Whitney.
        let gridScores = labels.map { l -> Float in Float(min(199, Int(g.next() % 140) + (l > 0 ? 60 : 0))) / 200 + 0.001 }
        let auc = AUC()
        auc.update(prediction: Tensor(Array(gridScores[..<150]), shape: [150, 1]), target: Tensor(Array(labels[..<150]), shape: [150, 1]))
        auc.update(prediction: Tensor(Array(gridScores[150...]), shape: [250, 1]), target: Tensor(Array(labels[150...]), shape: [250, 1]))
        let exact = mannWhitney(gridScores, labels)
        #expect(exact > 0.6 && exact < 0.95)
        #expect(close(auc.result(), exact, 1e-5), "\(auc.result()) vs \(exact)")
        // Continuous scores: the 200-bucket approximation stays within 0.01.
        let smooth = labels.map { l in min(max(g.nextFloat() * 0.7 + (l > 0 ? 0.3 : 0), 0), 1) }
        #expect(close(value(AUC(), Tensor(smooth), Tensor(labels)), mannWhitney(smooth, labels), 0.01))
        // Perfect and reversed rankings, and a single class.
        #expect(value(AUC(), Tensor([0.1, 0.4, 0.6, 0.9]), Tensor([0, 0, 1, 1])) == 1)
        #expect(value(AUC(), Tensor([0.9, 0.6, 0.4, 0.1]), Tensor([0, 0, 1, 1])) == 0)
        #expect(value(AUC(), Tensor([0.3, 0.7]), Tensor([1, 1])) == 0)
    }

    @Test func topKAccuracyCountsTheTrueClassAmongTheBest() {
        let metric = TopKAccuracy(k: 2)
        #expect(metric.name == "top_2_accuracy")
        // Second choices: row 0 → 1, row 1 → 1, row 2 → 0 or 2 (tie), row 3 → 0 or 2 (tie).
        #expect(value(metric, scores, Tensor(indices: [1, 2, 1, 0])) == 0.75)
        #expect(value(metric, scores, Tensor([1, 2, 1, 0])) == 0.75)
        #expect(value(metric, scores, Tensor(rows: [[0, 1, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0]])) == 0.75)
        #expect(value(TopKAccuracy(k: 1), scores, Tensor(indices: [2, 0, 1, 1])) == 1)
        #expect(value(TopKAccuracy(k: 3), scores, Tensor(indices: [0, 2, 0, 2])) == 1)
    }

    @Test func regressionErrors() {
        let p = Tensor([1, 2, 3, 4], shape: [4, 1]), t = Tensor([2, 2, 5, 0], shape: [4, 1])
        // Differences −1, 0, −2, 4.
        #expect(close(value(MeanSquaredErrorMetric(), p, t), 21.0 / 4))
        #expect(close(value(MeanAbsoluteErrorMetric(), p, t), 7.0 / 4))
        #expect(close(value(RootMeanSquaredErrorMetric(), p, t), (21.0 / 4).squareRoot()))
        // Accumulates over batches as a mean over all elements.
        let mse = MeanSquaredErrorMetric()
        mse.update(prediction: Tensor([0, 0]), target: Tensor([1, 1]))
        mse.update(prediction: Tensor([0]), target: Tensor([4]))
        #expect(close(mse.result(), 6))
        #expect(close(Metrics.meanSquaredError(p, t), 21.0 / 4))
        #expect(close(Metrics.meanSquaredError(Tensor([1, 2, 3, 4]), t), 21.0 / 4))   // [n] against [n, 1]
        #expect(close(Metrics.r2Score(t, t), 1))
        #expect(close(Metrics.r2Score(p, t), 1 - 21.0 / 12.75))
    }

    @Test func confusionMatrixCountsActualAgainstPredicted() {
        let matrix = ConfusionMatrix(classes: 3)
        matrix.update(prediction: scores, target: Tensor(indices: [2, 0, 2, 0]))   // predicted [2, 0, 1, 1]
        #expect(matrix.counts == [[1, 1, 0], [0, 0, 0], [0, 1, 1]])
        #expect(matrix.result() == 0.5)
        let binary = ConfusionMatrix(classes: 2)
        binary.update(prediction: Tensor([0.9, 0.2, 0.7]), target: Tensor([1, 1, 0]))
        #expect(binary.counts == [[0, 1], [1, 1]])
        binary.reset()
        #expect(binary.counts == [[0, 0], [0, 0]])
    }

    @Test func metricsByKerasName() throws {
        let names = ["accuracy", "acc", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
                     "top_k_accuracy", "precision", "recall", "f1", "auc", "mse", "mae", "rmse"]
        let expected = ["accuracy", "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
                        "top_5_accuracy", "precision", "recall", "f1", "auc", "mse", "mae", "rmse"]
        #expect(try names.map { try Metrics.named($0).name } == expected)
        let error = #expect(throws: TrainingError.self) { try Metrics.named("accuracyy") }
        #expect(error?.description.contains("unknown metric 'accuracyy'") == true)
    }
}
