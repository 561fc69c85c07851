import LeptonTensor

extension TrainableModel {
    /// One epoch of `fit` on a rank that reads no data (``DistributionStrategy/workerRank`` nil,
    /// a dedicated parameter server): `steps` calls of ``DistributionStrategy/serveStep(_:)`` in
    /// place of training steps, with the callbacks' batch events around each (learning-rate
    /// schedules change this rank's optimizer, which makes the updates).
    /// - Returns: the logs of the last step (the totals the strategy reported, e.g. the workers').
    func serveEpoch(steps: Int, _ distribution: DistributionStrategy, callbacks: [Callback], _ context: TrainingContext) throws -> Logs {
        var logs = Logs()
        for step in 0..<steps {
            try callbacks.forEach { try $0.batchBegin(step, context) }
            let summed = try distribution.serveStep(DistributedLogs.totals(lossSum: 0, samples: 0, metrics: metrics))
            if step == 0 { optimizer?.cacheParameterList() }
            logs = DistributedLogs.logs(summed, metrics: metrics)
            try callbacks.forEach { try $0.batchEnd(step, logs: logs, context) }
            if context.stopTraining && !(logs["loss"]?.isFinite ?? true) { break }
        }
        return logs
    }
}
