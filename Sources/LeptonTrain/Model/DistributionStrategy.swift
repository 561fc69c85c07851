import LeptonNN
import LeptonTensor

/// How `fit` and `evaluate` share work with other processes (data-parallel training): the one
/// seam between the training loop and a communicator. LeptonDistributed's `DataParallel` is
/// the implementation; set it with ``TrainableModel/distribution``. Without one, training runs
/// in one process as before.
///
/// With a strategy of ``size`` ranks, `fit` (on every rank, in step):
/// - builds the model and calls ``prepare(_:)`` once, after a backup has been restored and
///   before the first batch (broadcast of rank 0's weights, check that the ranks agree);
/// - reads this rank's part of every global batch (``LeptonData/DataLoader/sharded(rank:count:)``:
///   the batch size is per rank, the global batch `size` times larger, in the order one process
///   would read it);
/// - runs each step's backward through ``backward(_:)`` (which calls ``gradientReady(_:)`` for
///   each finished gradient), and ``synchronizeGradients(_:)`` between backward and the optimizer step of
///   ``TrainableModel/standardTrainStep(x:y:)`` (a custom `trainStep` calls
///   ``TrainableModel/synchronizeGradients()`` itself);
/// - sums the loss and metric totals over ranks with ``endStep(_:)`` after each batch, so every
///   rank's callbacks see the same logs and take the same decisions;
/// - shows progress on rank 0 only (``TrainingContext/isChief``: callbacks that write files
///   write there only).
/// `evaluate` reads disjoint parts of the data on each rank (every sample counted once) and sums.
///
/// A strategy may keep a rank out of the data (a dedicated parameter server): its
/// ``workerRank`` is nil, the data are sharded over the ``workerCount`` other ranks, and `fit`
/// calls ``serveStep(_:)`` on it in place of each training step (callbacks still run there).
public protocol DistributionStrategy: AnyObject {
    /// This process's index, `0..<size`.
    var rank: Int { get }
    /// The number of processes training together.
    var size: Int { get }
    /// This rank's index among the ranks that read training data and compute gradients
    /// (`0..<workerCount`), or nil for a rank that reads none (a dedicated parameter server).
    /// The default: ``rank``.
    var workerRank: Int? { get }
    /// The number of ranks that read training data; the global batch is `workerCount` times
    /// the batch size. The default: ``size``.
    var workerCount: Int { get }
    /// On a rank without data (``workerRank`` nil), `fit` calls this in place of each training
    /// step, with this rank's totals (zeros): the step's work that needs no batch (a dedicated
    /// parameter server receives the gradients, updates the weights and sends them back).
    /// Returns the totals the logs show, as ``endStep(_:)``. The default is ``endStep(_:)``.
    /// - Throws: when the transport fails.
    func serveStep(_ totals: [Double]) throws -> [Double]
    /// Makes the ranks start from the same state: called by `fit` once the model is built and a
    /// backup (if any) restored.
    /// - Throws: when the ranks disagree (their models, data or configs differ) or the transport fails.
    func prepare(_ context: TrainingContext) throws
    /// Tells the strategy how many of the current global batch's rows this rank holds (`fit`
    /// calls it before each step), so that gradients are weighted by rows when batches differ.
    func beginBatch(rows: Int, globalRows: Int)
    /// Runs backward from a training step's loss for ``TrainableModel/standardTrainStep(x:y:)``,
    /// calling ``gradientReady(_:)`` for each finished gradient. The default is
    /// `loss.backward(onLeafGradient: gradientReady)`; a strategy may seed it (data parallelism
    /// weights the gradients by this rank's rows there rather than in a pass over them).
    func backward(_ loss: Tensor)
    /// Called during backward as soon as a leaf's gradient is final (``LeptonTensor/Tensor/backward(_:retainGraph:onLeafGradient:)``),
    /// so that communication can start while backward goes on. The default does nothing.
    func gradientReady(_ parameter: Tensor)
    /// Replaces each parameter's gradient by the rows-weighted mean of the ranks' gradients
    /// (waiting for what ``gradientReady(_:)`` started).
    func synchronizeGradients(_ parameters: [Tensor])
    /// Sums `values` over the ranks (on every rank).
    /// - Throws: when the transport fails.
    func sum(_ values: [Double]) throws -> [Double]
    /// Called by `fit` after each training step (after the optimizer step) with this rank's
    /// running loss and metric totals; returns the totals the logs show. The default sums them
    /// over the ranks (``sum(_:)``); a parameter server sends its new weights to the workers here
    /// and, when its ranks do not step together, returns this rank's own totals.
    /// - Throws: when the transport fails.
    func endStep(_ totals: [Double]) throws -> [Double]
}

extension DistributionStrategy {
    /// Whether this rank prints progress and writes files (rank 0).
    public var isChief: Bool { rank == 0 }
    public var workerRank: Int? { rank }
    public var workerCount: Int { size }
    public func serveStep(_ totals: [Double]) throws -> [Double] { try endStep(totals) }
    public func gradientReady(_ parameter: Tensor) {}
    public func backward(_ loss: Tensor) { loss.backward(onLeafGradient: gradientReady) }
    public func endStep(_ totals: [Double]) throws -> [Double] { try sum(totals) }
}

extension TrainableModel {
    /// Trains together with other processes when set (see ``DistributionStrategy``); nil: alone.
    public var distribution: DistributionStrategy? {
        get { (trainingSetup as? TrainingSetup)?.distribution }
        set { setup.distribution = newValue }
    }

    /// Averages the gradients over the ranks of ``distribution`` (nothing without one): what
    /// ``standardTrainStep(x:y:)`` does between backward and the optimizer step, for a custom
    /// ``trainStep(x:y:)`` to call.
    public func synchronizeGradients() {
        guard let distribution, distribution.size > 1, let optimizer else { return }
        distribution.synchronizeGradients(optimizer.parameters)
    }
}

/// Loss and metric totals of one rank, summed over ranks into the logs every rank sees.
struct DistributedLogs {
    /// `[loss sum, samples]` followed by each metric's totals (``MergeableMetric/totals`` or
    /// `[result × samples, samples]`).
    static func totals(lossSum: Double, samples: Int, metrics: [Metric]) -> [Double] {
        var values = [lossSum, Double(samples)]
        for metric in metrics {
            if let mergeable = metric as? MergeableMetric { values += mergeable.totals } else {
                values += [Double(metric.result()) * Double(samples), Double(samples)]
            }
        }
        return values
    }

    /// The logs from totals summed over ranks (laid out as ``totals(lossSum:samples:metrics:)``).
    static func logs(_ summed: [Double], metrics: [Metric]) -> Logs {
        var entries = [("loss", Float(summed[0] / Swift.max(summed[1], 1)))]
        var offset = 2
        for metric in metrics {
            if let mergeable = metric as? MergeableMetric {
                let count = mergeable.totals.count
                entries.append((metric.name, mergeable.result(totals: Array(summed[offset..<(offset + count)]))))
                offset += count
            } else {
                entries.append((metric.name, Float(summed[offset] / Swift.max(summed[offset + 1], 1))))
                offset += 2
            }
        }
        return Logs(entries)
    }
}
