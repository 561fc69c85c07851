import Foundation

/// When a trial reports its intermediate value: `k` times an epoch (`tune.report_every: 1/k`
/// epochs, as Lightning's `val_check_interval: 0.25`), at the batches that end each k-th of
/// the epoch, the last report at the end of the epoch. Reports are numbered 1, 2, 3, … over
/// the whole trial — the steps pruners judge (Optuna's `trial.report(value, step)`), so with
/// `report_every: 0.25` step 4 is the end of the first epoch and ASHA's first rung, at step 1,
/// a quarter of an epoch.
public struct ReportSchedule: Sendable, Equatable {
    /// Reports per epoch (1: once, at the end of each epoch).
    public let reportsPerEpoch: Int

    /// The most reports per epoch `report_every` may ask for.
    public static let maximumReportsPerEpoch = 100

    public init(reportsPerEpoch: Int = 1) {
        self.reportsPerEpoch = min(max(reportsPerEpoch, 1), Self.maximumReportsPerEpoch)
    }

    /// Reads `report_every` (in epochs): 1/k for a whole k from 1 to 100.
    /// - Throws: ``TuneError`` naming `tune.report_every`, the value and the values expected.
    public init(reportEvery: Double) throws {
        let k = reportEvery > 0 && reportEvery.isFinite ? (1 / reportEvery).rounded() : 0
        guard reportEvery <= 1, k >= 1, k <= Double(Self.maximumReportsPerEpoch), abs(k * reportEvery - 1) < 1e-6 else {
            throw TuneError("tune.report_every: expected a fraction of an epoch 1/k for a whole k from 1 to \(Self.maximumReportsPerEpoch) (1, 0.5, 0.25, 0.2, 0.1, …), got \(String(format: "%g", reportEvery))")
        }
        reportsPerEpoch = Int(k)
    }

    /// The step of report `index` (1...reportsPerEpoch) of epoch `epoch` (counted from 0).
    public func step(epoch: Int, index: Int) -> Int { epoch * reportsPerEpoch + index }

    /// The steps of a trial of `epochs` epochs: the most it reports.
    public func steps(epochs: Int) -> Int { epochs * reportsPerEpoch }

    /// How many of the epoch's reports are due once `batchesDone` of its `batchesPerEpoch`
    /// batches have run: report i is due after ⌈i · batchesPerEpoch / k⌉ batches. Reports due
    /// only at the end of the epoch (i = k, and any i when the epoch has fewer batches than
    /// reports) are not counted here: the epoch's own validation makes them.
    public func reportsDue(afterBatches batchesDone: Int, of batchesPerEpoch: Int) -> Int {
        guard batchesDone < batchesPerEpoch else { return 0 }
        // The largest i < k with ⌈i · n / k⌉ ≤ done, that is i · n ≤ done · k.
        return min(batchesDone * reportsPerEpoch / max(batchesPerEpoch, 1), reportsPerEpoch - 1)
    }
}
