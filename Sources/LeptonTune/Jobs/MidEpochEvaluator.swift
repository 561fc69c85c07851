import LeptonData
import LeptonJobs
import LeptonNN
import LeptonTensor
import LeptonTrain

/// The value of a trial's metric in the middle of an epoch, for a ``ReportSchedule`` of more
/// than one report per epoch. A `val_…` metric is measured on the validation data the end of an
/// epoch measures it on (the dataset's validation part, else the split `Model.fit` holds out),
/// in evaluation mode, with a metric object of its own so the epoch's running training metrics
/// are left alone; any other metric (`loss`, `accuracy`) is read from the batch logs, the
/// running means over the epoch so far.
struct MidEpochEvaluator {
    /// The metric as named in the epoch logs (`val_accuracy`).
    let metric: String
    let lossFunction: LossFunction
    let metricNames: [String]
    /// The validation samples (nil without validation data).
    let validation: Dataset?

    /// Samples per forward pass: more than training batches, since evaluation keeps no graph.
    static let batchSize = 1000

    init(metric: String, training: TrainingConfig, data: DatasetParts) {
        self.metric = metric
        lossFunction = training.loss
        metricNames = training.metrics
        validation = data.validation ?? data.train.splittingOffLast(training.validationSplit)?.last
    }

    /// The metric now, or nil when it cannot be measured (a `val_…` metric without validation
    /// data, or one the config does not compute: the end of the epoch reports that failure).
    func value(model: Sequential, batchLogs: Logs) -> Double? {
        guard metric.hasPrefix("val_") else { return batchLogs[metric].map(Double.init) }
        guard let validation else { return nil }
        let name = String(metric.dropFirst(4))
        let measure = name == "loss" ? nil : metricNames.compactMap({ try? Metrics.named($0) }).first { $0.name == name }
        guard name == "loss" || measure != nil else { return nil }
        measure?.reset()
        var lossSum = 0.0, count = 0
        let batches = DataLoader(validation, batchSize: Self.batchSize, prefetch: 0).batches(epoch: 0)
        for batch in batches where batch.count >= 2 {
            let prediction = model.predict(batch[0], batchSize: Self.batchSize)
            if measure == nil {
                let rows = batch[0].shape[0]
                lossSum += Double(Tensor.withoutGrad { lossFunction(prediction, batch[1]) }.item()) * Double(rows)
                count += rows
            }
            measure?.update(prediction: prediction, target: batch[1])
        }
        guard (try? batches.rethrowError()) != nil else { return nil }
        if let measure { return Double(measure.result()) }
        return count > 0 ? lossSum / Double(count) : nil
    }
}
