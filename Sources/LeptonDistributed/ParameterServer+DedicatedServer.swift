import LeptonTensor
import LeptonTrain

/// Rank 0 of a ``ParameterServer`` with ``ParameterServer/dedicatedServer``: it reads no data,
/// and `fit` calls ``ParameterServer/serveStep(_:)`` once per step of the workers.
extension ParameterServer {
    /// Rank 0's part of one step when it only serves.
    ///
    /// - Sync: receives every worker's gradient (weighted by the rows it held; their sum is the
    ///   global batch's mean gradient), takes one optimizer step with it and sends the new
    ///   weights to every worker: the step one process takes on the global batch. The logs are
    ///   the workers' totals, summed over ranks (rank 0 adds zeros).
    /// - Async: applies gradients as they arrive within the staleness bound until every worker
    ///   has reported the step (its running loss and metric totals, sent with each step). The
    ///   logs are the sum of the workers' latest totals this epoch: at the end of an epoch, the
    ///   loss and metrics over every training example of the epoch.
    ///
    /// At the end of an epoch rank 0 also receives rank 1's buffers (batch-norm statistics), so
    /// that the model it evaluates, checkpoints and saves has them.
    public func serveStep(_ totals: [Double]) throws -> [Double] {
        guard dedicatedServer, rank == 0 else { return try endStep(totals) }
        steps += 1
        let epochEnd = steps % stepsPerEpoch == 0
        failing("serving step \(steps)") {
            if mode == .sync { try serveSynchronously() } else {
                while !reportedEveryWorker(steps) { try serve(waitForOne: true) }
            }
            if epochEnd && !buffers.isEmpty {
                while buffersReceived < steps / stepsPerEpoch {
                    if mode == .sync {
                        try receiveFromWorker(Message(source: 1, tag: Tag.buffers, count: buffers.reduce(0) { $0 + $1.count }))
                    } else {
                        try serve(waitForOne: true)
                    }
                }
            }
        }
        guard mode == .async else { return try sum(totals) }
        let epoch = (steps - 1) / stepsPerEpoch
        var summed = [Double](repeating: 0, count: totals.count)
        for report in reports where (report.steps - 1) / stepsPerEpoch == epoch && report.totals.count == totals.count {
            for i in summed.indices { summed[i] += report.totals[i] }
        }
        return summed
    }

    /// Sync: the sum of the workers' weighted gradients, in rank order, becomes every
    /// parameter's gradient for one optimizer step; the new weights go to every worker.
    private func serveSynchronously() throws {
        total = [Float](repeating: 0, count: wire.count)
        for worker in 1..<size {
            try timed { try wire.withUnsafeMutableBufferPointer { _ = try communicator.receive($0, from: worker, tag: Tag.gradient) } }
            for i in total.indices { total[i] += wire[i] }
        }
        var offset = 0
        for parameter in parameters {
            parameter.grad = tensor(from: total, at: offset, like: parameter)
            offset += parameter.count
        }
        optimizer?.step()
        statistics.updates += 1
        for worker in 1..<size { try sendWeights(to: worker) }
    }

    /// Whether every worker has reported `step` steps (async).
    private func reportedEveryWorker(_ step: Int) -> Bool {
        reports.count == workerCount && reports.allSatisfy { $0.steps >= step }
    }

    /// Receives a worker's running totals (async) or rank 1's buffers (the end of an epoch).
    func receiveFromWorker(_ message: Message) throws {
        var values = [Float](repeating: 0, count: message.count)
        try values.withUnsafeMutableBufferPointer { _ = try communicator.receive($0, from: message.source, tag: message.tag) }
        if message.tag == Tag.buffers {
            guard values.count == buffers.reduce(0, { $0 + $1.count }) else {
                throw DistributedError("parameter server: rank \(message.source) sent \(values.count) buffer values; expected \(buffers.reduce(0) { $0 + $1.count })")
            }
            FlatTensors.scatter(values, into: buffers)
            buffersReceived += 1
            return
        }
        if reports.isEmpty { reports = [(steps: Int, totals: [Double])](repeating: (0, []), count: workerCount) }
        let worker = message.source - 1
        reports[worker] = (reports[worker].steps + 1, values.map(Double.init))
    }
}
