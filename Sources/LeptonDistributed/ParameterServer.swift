import Foundation
import LeptonNN
import LeptonTensor
import LeptonTrain

/// Parameter-server training over point-to-point messages (TensorFlow's
/// `ParameterServerStrategy`, Li et al.'s parameter server): rank 0 holds the parameters and the
/// optimizer; every rank computes gradients on its part of the data, pushes them to rank 0 and
/// pulls the weights back.
///
/// By default rank 0 is both the server and a worker: it trains on its own part of the data as
/// the others do, and applies their gradients between its own steps. The training loop,
/// callbacks (learning rate schedules, checkpoints, backups), progress and the saved model stay
/// on rank 0 as with ``DataParallel``, and no rank sits idle; the cost is that rank 0 does the
/// server's work too. With ``dedicatedServer`` (TensorFlow's separate `ps` task) rank 0 only
/// serves: it reads no data and computes no gradient, ranks 1…N−1 split the data among
/// themselves, and rank 0's progress shows the loss and metrics the workers report (see
/// ``serveStep(_:)``).
///
/// - ``Mode/sync``: each step rank 0 receives every rank's gradient (weighted by the rows it
///   held), applies their sum with the optimizer once and sends the new weights to every rank:
///   the step one process takes on the global batch, like ``DataParallel``.
/// - ``Mode/async``: rank 0 applies each gradient as it arrives, as one optimizer step with the
///   rank's own batch mean, and sends that rank the current weights; a rank may be at most
///   ``staleness`` steps ahead of the slowest (``StalenessGate``), and all ranks meet at the end of
///   every epoch. The loss and metrics shown during an epoch are each rank's own (rank 0's on
///   screen); validation and test results cover all ranks. A callback that stops training should
///   watch a validation metric (`val_…`, the same on every rank): one that stops a single rank on
///   its own training logs (EarlyStopping on `loss`, TerminateOnNaN) leaves the others waiting
///   until the rank timeout ends the job.
///
/// ```swift
/// let strategy = try ParameterServer(communicator: MPICommunicator.forProcess(), mode: .async, staleness: 2)
/// model.distribution = strategy
/// try model.fit(loader, epochs: 3)
/// ```
public final class ParameterServer: DistributionStrategy {
    /// How the server combines the ranks' gradients.
    public enum Mode: String, Sendable, CaseIterable {
        /// One update per step from the gradients of all ranks.
        case sync
        /// One update per gradient, as it arrives, within a staleness bound.
        case async
    }

    /// What went over the wire and how far the ranks drifted apart, since the strategy was made.
    public struct Statistics: Sendable {
        /// Optimizer updates rank 0 applied (sync: one per step; async: one per gradient).
        public var updates = 0
        /// Gradients and weights sent by this rank, in bytes.
        public var bytesSent = 0
        /// Seconds this rank waited for messages (weights on a worker, gradients on rank 0).
        public var waitSeconds: Double = 0
        /// Async, rank 0: the largest lead of a rank over the slowest when it was let go on (≤ ``staleness``).
        public var largestLead = 0
        /// Async, rank 0: the most updates applied between a rank's pull of the weights and the
        /// update with the gradient it computed on them.
        public var largestGradientStaleness = 0
    }

    /// The processes training together; rank 0 is the server.
    public let communicator: Communicator
    /// Synchronous or asynchronous updates.
    public let mode: Mode
    /// Async: the most steps a rank may run ahead of the slowest (0 in sync mode).
    public let staleness: Int
    /// Whether rank 0 only serves (reads no data, computes no gradient); ranks 1…N−1 train.
    public let dedicatedServer: Bool
    /// A hash of the config and options, compared across ranks by ``prepare(_:)``.
    public var configurationFingerprint: UInt64
    /// Totals since the strategy was made.
    public internal(set) var statistics = Statistics()

    enum Tag {
        static let gradient = 1, gradientAtEpochEnd = 2, weights = 3, totals = 4, buffers = 5
    }

    var parameters: [Tensor] = []
    var optimizer: Optimizer?
    var stepsPerEpoch = 1
    var steps = 0
    private var weight: Float = 1
    var wire: [Float] = []
    var total: [Float] = []
    var gate = StalenessGate(ranks: 1, bound: 0)
    private var version = 0
    private var versionPulled: [Int] = []
    /// Dedicated server: the model's float buffers (batch-norm statistics), which rank 1 sends
    /// rank 0 at the end of every epoch, and how many times rank 0 has received them.
    var buffers: [Tensor] = []
    var buffersReceived = 0
    /// Dedicated server, async: each worker's latest running totals, with the steps it had taken.
    var reports: [(steps: Int, totals: [Double])] = []

    /// Checks that `size` ranks can run a parameter server (at least 2: the server and a worker).
    /// - Throws: ``DistributedError`` for fewer, saying how to start more.
    public static func checkRanks(_ size: Int, dedicatedServer: Bool) throws {
        guard size >= 2 else {
            throw DistributedError("parameter server: expected at least 2 ranks (rank 0 serves\(dedicatedServer ? " only" : " and trains"), the others train), got \(size); start it under mpirun -np N or with --workers N")
        }
    }

    /// - Parameters:
    ///   - communicator: the ranks (LeptonMPI's `MPICommunicator.forProcess()`), at least 2.
    ///   - mode: ``Mode/sync`` or ``Mode/async``.
    ///   - staleness: async only: steps a rank may run ahead of the slowest, at least 0.
    ///   - dedicatedServer: rank 0 only serves; ranks 1…N−1 train on the data.
    ///   - configurationFingerprint: a hash of the run's configuration (``DataParallel/fingerprint(_:)``).
    /// - Throws: ``DistributedError`` for a negative staleness, a staleness in sync mode, or fewer than 2 ranks.
    public init(communicator: Communicator, mode: Mode = .sync, staleness: Int = 0, dedicatedServer: Bool = false,
                configurationFingerprint: UInt64 = 0) throws {
        guard staleness >= 0 else { throw DistributedError("parameter server: staleness must be at least 0 steps, got \(staleness)") }
        guard mode == .async || staleness == 0 else {
            throw DistributedError("parameter server: a staleness of \(staleness) needs the async mode (sync steps together: staleness 0)")
        }
        try Self.checkRanks(communicator.size, dedicatedServer: dedicatedServer)
        self.communicator = communicator
        self.mode = mode
        self.staleness = staleness
        self.dedicatedServer = dedicatedServer
        self.configurationFingerprint = configurationFingerprint
    }

    public var rank: Int { communicator.rank }
    public var size: Int { communicator.size }
    /// With a dedicated server: nil on rank 0, `rank − 1` on the workers; else ``rank``.
    public var workerRank: Int? { dedicatedServer ? (rank == 0 ? nil : rank - 1) : rank }
    /// The ranks that train: `size − 1` with a dedicated server, else ``size``.
    public var workerCount: Int { dedicatedServer ? size - 1 : size }
    /// The first rank that trains (1 with a dedicated server, else 0).
    var firstWorker: Int { dedicatedServer ? 1 : 0 }

    public func prepare(_ context: TrainingContext) throws {
        try communicator.startTogether(context, configurationFingerprint: configurationFingerprint,
                                       strategy: "parameter server, \(mode.rawValue), staleness \(staleness), dedicated server \(dedicatedServer)")
        optimizer = context.optimizer
        stepsPerEpoch = Swift.max(1, context.stepsPerEpoch)
        steps = 0
        gate = StalenessGate(ranks: workerCount, bound: staleness)
        version = 0
        versionPulled = [Int](repeating: 0, count: size)
        buffers = dedicatedServer ? context.model.namedBuffers().map(\.1).filter { $0.dtype == .float32 } : []
        buffersReceived = 0
        reports = []
        plan(context.optimizer.parameters)
    }

    func plan(_ parameters: [Tensor]) {
        self.parameters = parameters
        let count = parameters.reduce(0) { $0 + $1.count }
        wire = [Float](repeating: 0, count: count)
        total = rank == 0 && mode == .sync ? wire : []
    }

    public func beginBatch(rows: Int, globalRows: Int) {
        weight = mode == .async ? 1 : globalRows > 0 ? Float(rows) / Float(globalRows) : 0
        guard mode == .async, rank == 0 else { return }
        failing("serving gradients") { try serve(waitForOne: false) }
    }

    /// Pushes this rank's gradient to rank 0 (which, in sync mode, sums all of them into its own
    /// gradients for the optimizer step that follows). On the other ranks the gradients are
    /// cleared afterwards, so their own optimizer step changes nothing: their weights come from
    /// rank 0 in ``endStep(_:)``. A transport failure ends the job.
    public func synchronizeGradients(_ parameters: [Tensor]) {
        if parameters.map(ObjectIdentifier.init) != self.parameters.map(ObjectIdentifier.init) { plan(parameters) }
        guard workerRank != nil else { return }   // a dedicated server has no gradient of its own
        steps += 1
        let epochEnd = steps % stepsPerEpoch == 0
        failing("pushing gradients") {
            if rank == 0 {
                if mode == .sync { try sumGradients() } else {
                    gate.pushed(0, epochEnd: epochEnd)   // applied by the optimizer step that follows
                    version += 1
                    statistics.updates += 1
                }
                return
            }
            wire.withUnsafeMutableBufferPointer { pack(gradientsOf: parameters, scaledBy: weight, into: $0) }
            try communicator.send(wire, to: 0, tag: mode == .async && epochEnd ? Tag.gradientAtEpochEnd : Tag.gradient)
            statistics.bytesSent += wire.count * MemoryLayout<Float>.size
            for parameter in parameters { parameter.grad = nil }
        }
    }

    /// After the optimizer step: rank 0 sends the new weights (sync: to every rank; async: to
    /// the ranks the staleness bound lets go on, serving gradients until it may go on itself);
    /// the other ranks receive theirs. Returns the totals summed over ranks (sync) or this rank's own (async).
    public func endStep(_ totals: [Double]) throws -> [Double] {
        failing("exchanging weights") {
            if rank != 0 {
                if dedicatedServer && mode == .async { try communicator.send(totals.map { Float($0) }, to: 0, tag: Tag.totals) }
                try timed { try wire.withUnsafeMutableBufferPointer { _ = try communicator.receive($0, from: 0, tag: Tag.weights) } }
                FlatTensors.scatter(wire, into: parameters)
                if dedicatedServer && rank == 1 && steps % stepsPerEpoch == 0 && !buffers.isEmpty {
                    try communicator.send(FlatTensors.gather(buffers), to: 0, tag: Tag.buffers)
                }
            } else if mode == .sync {
                statistics.updates += 1
                wire.withUnsafeMutableBufferPointer { FlatTensors.write(parameters, into: $0) }
                for worker in 1..<size { try sendWeights(to: worker) }
            } else {
                try serve(waitForOne: false)
                while gate.isWaiting(0) { try serve(waitForOne: true) }
            }
        }
        return mode == .sync ? try sum(totals) : totals
    }

    public func sum(_ values: [Double]) throws -> [Double] { try communicator.sum(values) }

    /// Rank 0, sync: its own weighted gradients plus every other rank's, in rank order, become its gradients.
    private func sumGradients() throws {
        total.withUnsafeMutableBufferPointer { pack(gradientsOf: parameters, scaledBy: weight, into: $0) }
        for worker in 1..<size {
            try timed { try wire.withUnsafeMutableBufferPointer { _ = try communicator.receive($0, from: worker, tag: Tag.gradient) } }
            for i in total.indices { total[i] += wire[i] }
        }
        var offset = 0
        for parameter in parameters {
            defer { offset += parameter.count }
            guard parameter.grad != nil else { continue }   // as alone: no gradient, no update
            parameter.grad = tensor(from: total, at: offset, like: parameter)
        }
    }

    /// Rank 0, async: applies the gradients that have arrived (waiting for one when asked) and
    /// sends weights to every rank the staleness bound lets go on.
    func serve(waitForOne: Bool) throws {
        var wait = waitForOne
        while let message = try timedIf(wait, { try communicator.probe(from: nil, tag: nil, wait: wait) }) {
            wait = false
            if dedicatedServer && (message.tag == Tag.totals || message.tag == Tag.buffers) {
                try receiveFromWorker(message)
                continue
            }
            guard message.tag == Tag.gradient || message.tag == Tag.gradientAtEpochEnd else {
                throw DistributedError("parameter server: rank \(message.source) sent a message under tag \(message.tag); expected a gradient")
            }
            try wire.withUnsafeMutableBufferPointer { _ = try communicator.receive($0, from: message.source, tag: message.tag) }
            apply(wire)
            statistics.largestGradientStaleness = Swift.max(statistics.largestGradientStaleness, version - versionPulled[message.source])
            version += 1
            gate.pushed(message.source - firstWorker, epochEnd: message.tag == Tag.gradientAtEpochEnd)
        }
        for released in gate.release() where released + firstWorker != 0 { try sendWeights(to: released + firstWorker) }
        statistics.largestLead = gate.largestLead
    }

    /// One optimizer step on rank 0 with `gradient` (laid out as the parameters).
    private func apply(_ gradient: [Float]) {
        guard let optimizer else { return }
        var offset = 0
        let saved = parameters.map(\.grad)
        for parameter in parameters {
            parameter.grad = tensor(from: gradient, at: offset, like: parameter)
            offset += parameter.count
        }
        optimizer.step()
        statistics.updates += 1
        for (parameter, grad) in zip(parameters, saved) { parameter.grad = grad }
    }

    func sendWeights(to worker: Int) throws {
        wire.withUnsafeMutableBufferPointer { FlatTensors.write(parameters, into: $0) }
        try communicator.send(wire, to: worker, tag: Tag.weights)
        statistics.bytesSent += wire.count * MemoryLayout<Float>.size
        if !versionPulled.isEmpty { versionPulled[worker] = version }
    }

    /// Copies `scale ×` each parameter's gradient (zeros without one) into `buffer`.
    private func pack(gradientsOf parameters: [Tensor], scaledBy scale: Float, into buffer: UnsafeMutableBufferPointer<Float>) {
        guard var target = buffer.baseAddress else { return }
        for parameter in parameters {
            let count = parameter.count
            if let grad = parameter.grad {
                let g = grad.dtype == .float32 ? grad : grad.cast(to: .float32)
                let source = g.floats
                if scale == 1 { target.update(from: source, count: count) } else {
                    for i in 0..<count { target[i] = scale * source[i] }
                }
            } else {
                target.update(repeating: 0, count: count)
            }
            target += count
        }
    }

    func tensor(from values: [Float], at offset: Int, like parameter: Tensor) -> Tensor {
        let made = Tensor(uninitializedShape: parameter.shape, dtype: .float32, backend: parameter.backend)
        values.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { made.floats.update(from: base + offset, count: parameter.count) }
        }
        return made
    }

    /// Runs `body`, ending the job on a failure: a step cannot go on without the other ranks.
    func failing(_ what: String, _ body: () throws -> Void) {
        do { try body() } catch { communicator.abort("parameter server (\(mode.rawValue)): \(what) failed: \(error)") }
    }

    func timed<T>(_ body: () throws -> T) rethrows -> T {
        let clock = ContinuousClock(), started = clock.now
        defer {
            let elapsed = started.duration(to: clock.now).components
            statistics.waitSeconds += Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
        }
        return try body()
    }

    private func timedIf<T>(_ timing: Bool, _ body: () throws -> T) rethrows -> T {
        timing ? try timed(body) : try body()
    }
}
