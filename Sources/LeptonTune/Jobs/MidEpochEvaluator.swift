import LeptonData
import LeptonJobs
import LeptonNN
import LeptonTensor
import LeptonTrain

/// The value of a trial's metric in the middle of an epoch, for a ``ReportSchedule`` of more
/// than one report per epoch. A `val_…` metric is measured on the validation split the way
/// the end of an epoch measures it (evaluation mode, the whole split), with a metric object of
/// its own so the epoch's running training metrics are left alone; any other metric (`loss`,
/// `accuracy`) is read from the batch logs, the running means over the epoch so far.
/// One per trial: it keeps the trial's validation split once taken.
final class MidEpochEvaluator {
    /// The metric as named in the epoch logs (`val_accuracy`).
    let metric: String
    let lossFunction: LossFunction
    let metricNames: [String]
    let validationSplit: Float

    private var held: (Tensor, Tensor)??

    /// Inputs per forward pass: larger than training batches, since evaluation keeps no graph.
    static let batchSize = 1000

    init(metric: String, training: TrainingConfig) {
        self.metric = metric
        lossFunction = training.loss
        metricNames = training.metrics
        validationSplit = training.validationSplit
    }

    /// The metric now, or nil when it cannot be measured (a `val_…` metric without validation
    /// data, or one the config does not compute: the end of the epoch reports that failure).
    func value(model: Sequential, data: DatasetSplits, batchLogs: Logs) -> Double? {
        guard metric.hasPrefix("val_") else { return batchLogs[metric].map(Double.init) }
        if held == nil { held = .some(validation(data)) }
        guard let (x, y) = held ?? nil else { return nil }
        let name = String(metric.dropFirst(4))
        let prediction = model.predict(x, batchSize: Self.batchSize)
        if name == "loss" { return Double(Tensor.withoutGrad { lossFunction(prediction, y) }.item()) }
        guard let measure = metricNames.compactMap({ try? Metrics.named($0) }).first(where: { $0.name == name }) else { return nil }
        measure.reset()
        measure.update(prediction: prediction, target: y)
        return Double(measure.result())
    }

    /// The validation split `Model.fit` holds out: the last ⌊n · split⌋ samples, before shuffling.
    private func validation(_ data: DatasetSplits) -> (Tensor, Tensor)? {
        let n = data.trainX.shape[0], held = Int((Float(n) * validationSplit).rounded(.down))
        guard held > 0, held < n else { return nil }
        return (data.trainX.slice(axis: 0, start: n - held).detach(), data.trainY.slice(axis: 0, start: n - held).detach())
    }
}
