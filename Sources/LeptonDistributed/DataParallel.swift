import Foundation
import LeptonNN
import LeptonTensor
import LeptonTrain

/// Data-parallel training over a ``Communicator`` (Horovod's and PyTorch DDP's scheme): every
/// rank holds the whole model, reads its own part of each global batch, and averages the
/// gradients with the other ranks before every optimizer step, so that all ranks take the same
/// step — the step one process would take on the global batch.
///
/// ```swift
/// let strategy = try DataParallel(communicator: MPICommunicator.forProcess())
/// model.distribution = strategy            // fit, evaluate: sharded data, synchronised steps
/// try model.fit(loader, epochs: 3)          // batch size per rank; rank 0 shows progress
/// ```
///
/// At the start (``prepare(_:)``) the ranks compare fingerprints of their configuration
/// (``configurationFingerprint``), model (parameter names and shapes, optimizer) and data (steps
/// per epoch), and copy rank 0's weights. Gradients travel fused into buckets of about
/// ``bucketBytes``, laid out once in reverse parameter order (the order backward finishes them)
/// and identical on every rank, so ranks never submit different tensors to one all-reduce.
/// With ``overlap`` a communication thread all-reduces each bucket as soon as backward has
/// finished its gradients, while backward goes on (DDP's overlap); the optimizer step waits for
/// the last bucket. Gradients are weighted by the rows each rank held, so a last batch split
/// unevenly still gives the global batch's mean gradient.
///
/// With more than one rank, backward writes each parameter's gradient straight into its bucket
/// slot (``LeptonTensor/Tensor/writeGradients(into:)``: the kernel that makes a dense or
/// convolution weight's gradient writes it there; others are copied in as they finish), and
/// ``backward(_:)`` seeds backward with the rank's weight, so that a step all-reduces the bucket
/// as backward left it: no pass over the gradients between backward and the all-reduce.
public final class DataParallel: DistributionStrategy {
    /// The processes training together.
    public let communicator: Communicator
    /// Bytes of gradients fused into one all-reduce (Horovod's tensor fusion; PyTorch's 25 MB buckets).
    public let bucketBytes: Int
    /// Whether buckets are all-reduced on a communication thread while backward still runs.
    public let overlap: Bool
    /// Whether reduced gradients are views into their bucket (PyTorch DDP's
    /// `gradient_as_bucket_view`: no copy, valid until the next synchronisation) rather than
    /// copies in new tensors (for code that keeps a gradient across steps).
    public let gradientsAsBucketViews: Bool
    /// A hash of what must be the same on every rank besides the model (the config file and the
    /// options that change training); compared across ranks by ``prepare(_:)``.
    public var configurationFingerprint: UInt64
    /// What the gradient all-reduces moved and how long they took, since the strategy was made.
    public var statistics: Statistics { engine.statistics }

    /// Totals of gradient synchronisation.
    public struct Statistics: Sendable {
        /// All-reduce calls and the bytes they reduced.
        public var allReduces = 0, bytes = 0
        /// Seconds inside all-reduce calls (including waiting for slower ranks).
        public var allReduceSeconds: Double = 0
        /// Seconds the training thread waited for them before optimizer steps.
        public var waitSeconds: Double = 0
        /// The fraction of all-reduce time hidden behind backward (1 − wait / all-reduce time).
        public var hiddenFraction: Double { allReduceSeconds > 0 ? Swift.max(0, 1 - waitSeconds / allReduceSeconds) : 0 }
    }

    /// Gradients of some parameters laid end to end in one allocation, all-reduced at once;
    /// after the all-reduce each parameter's gradient is a view into it (no copy back).
    final class Bucket {
        let parameters: [Tensor]
        let offsets: [Int]
        /// The floats of all the bucket's gradients (a tensor storage, for gradient views into it).
        let storage: Storage
        let count: Int
        /// Per parameter, whether its gradient is in the bucket for this step (plain memory:
        /// the step's hot path reads and writes it without exclusivity checks).
        let ready: UnsafeMutableBufferPointer<Bool>
        var readyCount = 0
        /// How many of this step's gradients backward left in their slot (no handing back).
        var inPlace = 0
        var launched = false
        init(_ parameters: [Tensor]) {
            self.parameters = parameters
            var offsets: [Int] = [], total = 0
            for p in parameters { offsets.append(total); total += p.count }
            self.offsets = offsets
            count = total
            storage = Storage(byteCount: total * MemoryLayout<Float>.size, backend: parameters.first?.backend ?? Device.current)
            ready = .allocate(capacity: parameters.count)
            ready.initialize(repeating: false)
        }

        deinit { ready.deallocate() }

        /// The bucket's floats.
        var buffer: UnsafeMutableBufferPointer<Float> {
            UnsafeMutableBufferPointer(start: storage.pointer.assumingMemoryBound(to: Float.self), count: count)
        }

        /// The first byte of parameter `i`'s gradient in the bucket.
        func slot(_ i: Int) -> UnsafeMutableRawPointer {
            storage.pointer + offsets[i] * MemoryLayout<Float>.size
        }

        /// Parameter `i`'s gradient in the bucket, as a tensor (no copy).
        func view(_ i: Int) -> Tensor {
            Tensor(viewing: storage, floatOffset: offsets[i], shape: parameters[i].shape)
        }

        /// Ready for the next step: no gradient in yet, not launched.
        func reset() {
            ready.update(repeating: false)
            readyCount = 0
            inPlace = 0
            launched = false
        }
    }

    private var buckets: [Bucket] = []
    private var planned: [ObjectIdentifier] = []
    private var slots: [ObjectIdentifier: (bucket: Int, index: Int)] = [:]
    private var nextLaunch = 0
    private var weight: Float = 1
    /// Whether this step's backward ran through ``backward(_:)``: its gradients are already weighted.
    private var weightedByBackward = false
    private let engine: Engine

    /// - Parameters:
    ///   - communicator: the ranks (LeptonMPI's `MPICommunicator.forProcess()`).
    ///   - bucketBytes: gradient bytes fused into one all-reduce, at least 4.
    ///   - overlap: all-reduce buckets on a communication thread while backward runs.
    ///   - gradientsAsBucketViews: hand reduced gradients back as views into the bucket (no copy).
    ///   - configurationFingerprint: a hash of the run's configuration (``fingerprint(_:)``).
    /// - Throws: ``DistributedError`` for a bucket size below 4 bytes.
    public init(communicator: Communicator, bucketBytes: Int = 25 << 20, overlap: Bool = true,
                gradientsAsBucketViews: Bool = true, configurationFingerprint: UInt64 = 0) throws {
        guard bucketBytes >= 4 else { throw DistributedError("bucket size: expected at least 4 bytes (one float), got \(bucketBytes)") }
        self.communicator = communicator
        self.bucketBytes = bucketBytes
        self.overlap = overlap
        self.gradientsAsBucketViews = gradientsAsBucketViews
        self.configurationFingerprint = configurationFingerprint
        engine = Engine(communicator: communicator)
    }

    deinit {
        engine.stop()
        for bucket in buckets { for parameter in bucket.parameters { parameter.writeGradients(into: nil) } }
    }

    public var rank: Int { communicator.rank }
    public var size: Int { communicator.size }

    /// The 64-bit FNV-1a hash of `text` (configurations, parameter lists), the same on every machine.
    public static func fingerprint(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    public func prepare(_ context: TrainingContext) throws {
        try communicator.startTogether(context, configurationFingerprint: configurationFingerprint, strategy: "data parallel")
        plan(context.optimizer.parameters)
    }

    /// Lays the buckets out over `parameters` in reverse order (the same on every rank) and,
    /// with more than one rank, makes backward write each gradient into its bucket slot.
    private func plan(_ parameters: [Tensor]) {
        for bucket in buckets { for parameter in bucket.parameters { parameter.writeGradients(into: nil) } }
        planned = parameters.map(ObjectIdentifier.init)
        let capacity = Swift.max(1, bucketBytes / MemoryLayout<Float>.size)
        buckets = []
        var current: [Tensor] = [], elements = 0
        for parameter in parameters.reversed() {
            if !current.isEmpty && elements + parameter.count > capacity {
                buckets.append(Bucket(current))
                current = []; elements = 0
            }
            current.append(parameter)
            elements += parameter.count
        }
        if !current.isEmpty { buckets.append(Bucket(current)) }
        slots = [:]
        for (b, bucket) in buckets.enumerated() {
            for (i, p) in bucket.parameters.enumerated() {
                slots[ObjectIdentifier(p)] = (b, i)
                if size > 1 && p.dtype == .float32 { p.writeGradients(into: bucket.view(i)) }
            }
        }
        nextLaunch = 0
    }

    public func beginBatch(rows: Int, globalRows: Int) {
        weight = globalRows > 0 ? Float(rows) / Float(globalRows) : 0
    }

    /// Backward from `loss` seeded with this rank's weight, rows / global rows (the gradients
    /// come out weighted: no weighting pass, and with one rank's rows all gradients scale
    /// exactly as the mean over the global batch), calling ``gradientReady(_:)`` as they finish.
    public func backward(_ loss: Tensor) {
        weightedByBackward = true
        loss.backward(Tensor.full(loss.shape, weight, backend: loss.backend), onLeafGradient: gradientReady)
    }

    /// Packs a finished gradient into its bucket; with ``overlap``, hands every complete bucket
    /// (in bucket order) to the communication thread.
    public func gradientReady(_ parameter: Tensor) {
        guard overlap, buckets.count > 1, let (b, i) = slots[ObjectIdentifier(parameter)] else { return }
        let bucket = buckets[b]
        guard !bucket.ready[i] else { return }
        pack(bucket, i)
        while nextLaunch < buckets.count && buckets[nextLaunch].readyCount == buckets[nextLaunch].parameters.count {
            launch(nextLaunch)
            nextLaunch += 1
        }
    }

    /// Replaces each gradient by the sum over ranks of `rows / globalRows × gradient`, bucket by
    /// bucket (those backward has not started yet go now), then waits for every bucket. A
    /// gradient backward left in its bucket slot is reduced where it is (weighted there unless
    /// ``backward(_:)`` seeded it); others are copied in. A parameter without a gradient
    /// contributes zeros and keeps none. A transport failure ends the job
    /// (``Communicator/abort(_:)``: a step cannot go on with some ranks' gradients).
    public func synchronizeGradients(_ parameters: [Tensor]) {
        if !isPlanned(parameters) { plan(parameters) }
        for b in nextLaunch..<buckets.count {
            let bucket = buckets[b]
            if bucket.readyCount < bucket.parameters.count {
                for i in bucket.parameters.indices where !bucket.ready[i] { pack(bucket, i) }
            }
            launch(b)
        }
        engine.waitForAll()
        for bucket in buckets {
            // Gradients as views into the bucket (DDP's gradient_as_bucket_view): valid until
            // the next synchronisation packs new gradients into it. Those backward wrote into
            // their slot already are such views.
            if !gradientsAsBucketViews || bucket.inPlace < bucket.parameters.count { handBack(bucket) }
            bucket.reset()
        }
        nextLaunch = 0
        weightedByBackward = false
    }

    /// Whether the buckets were laid out over exactly these parameters, in this order.
    private func isPlanned(_ parameters: [Tensor]) -> Bool {
        guard parameters.count == planned.count else { return false }
        for (parameter, id) in zip(parameters, planned) where ObjectIdentifier(parameter) != id { return false }
        return true
    }

    /// Sets each gradient of `bucket` to its reduced value: a view into the bucket, or a copy.
    private func handBack(_ bucket: Bucket) {
        for (i, parameter) in bucket.parameters.enumerated() {
            guard let grad = parameter.grad else { continue }
            if !gradientsAsBucketViews {
                parameter.grad = bucket.view(i).copy()
            } else if grad.storage.pointer != bucket.slot(i) {
                parameter.grad = bucket.view(i)
            }
        }
    }

    /// Copies `weight ×` the gradient of parameter `i` (zeros without one) into its bucket: only
    /// the weighting, or nothing, when backward wrote it there.
    private func pack(_ bucket: Bucket, _ i: Int) {
        let parameter = bucket.parameters[i], weight = weightedByBackward ? 1 : self.weight
        let target = bucket.slot(i).assumingMemoryBound(to: Float.self)
        if let grad = parameter.grad {
            let gradient = grad.dtype == .float32 ? grad : grad.cast(to: .float32)
            let source = UnsafePointer(gradient.floats)
            if source == UnsafePointer(target) {
                bucket.inPlace += 1
                if weight != 1 { for k in 0..<parameter.count { target[k] *= weight } }   // already in place
            } else if weight == 1 {
                target.update(from: source, count: parameter.count)
            } else {
                for k in 0..<parameter.count { target[k] = source[k] * weight }
            }
        } else {
            target.update(repeating: 0, count: parameter.count)
        }
        bucket.ready[i] = true
        bucket.readyCount += 1
    }

    /// All-reduces bucket `b`: on the communication thread with ``overlap`` and more than one
    /// bucket (one bucket is complete only when backward is: nothing to overlap), else at once.
    private func launch(_ b: Int) {
        buckets[b].launched = true
        if overlap && size > 1 && buckets.count > 1 { engine.enqueue(buckets[b]) } else { engine.reduceNow(buckets[b]) }
    }

    public func sum(_ values: [Double]) throws -> [Double] {
        try communicator.sum(values)
    }
}

/// The communication side of ``DataParallel``: a thread that all-reduces queued buckets in
/// order, and the counts and times of what it did. Only it calls the communicator while
/// backward runs; the training thread calls it again only after ``waitForAll()``.
private final class Engine: @unchecked Sendable {
    let communicator: Communicator
    private let condition = NSCondition()
    private var queue: [DataParallel.Bucket?] = []
    private var launched = 0, finished = 0
    /// Whether a bucket went to the communication thread since the last ``waitForAll()`` (training thread only).
    private var queuedSinceWait = false
    private var worker: Thread?
    private var stats = DataParallel.Statistics()

    init(communicator: Communicator) { self.communicator = communicator }

    var statistics: DataParallel.Statistics { condition.lock(); defer { condition.unlock() }; return stats }

    /// Queues a bucket for the communication thread (started on first use).
    func enqueue(_ bucket: DataParallel.Bucket) {
        condition.lock()
        if worker == nil {
            let thread = Thread { [self] in run() }
            thread.stackSize = 1 << 20
            thread.name = "lepton-comm"
            worker = thread
            thread.start()
        }
        launched += 1
        queue.append(bucket)
        condition.broadcast()
        condition.unlock()
        queuedSinceWait = true
    }

    /// All-reduces a bucket on the calling thread (the training thread waits for all of it).
    func reduceNow(_ bucket: DataParallel.Bucket) {
        reduce(bucket, onTrainingThread: true)
    }

    /// Returns once every queued bucket is reduced (the time waited counts as not hidden).
    func waitForAll() {
        guard queuedSinceWait else { return }          // all reduced on this thread already
        queuedSinceWait = false
        let started = Self.now()
        condition.lock()
        while finished < launched { condition.wait() }
        stats.waitSeconds += Self.seconds(since: started)
        condition.unlock()
    }

    /// Ends the communication thread.
    func stop() {
        condition.lock()
        if worker != nil { queue.append(nil) }
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty { condition.wait() }
            let next = queue.removeFirst()
            condition.unlock()
            guard let bucket = next else { return }
            reduce(bucket, onTrainingThread: false)
        }
    }

    /// One all-reduce (sum) of a bucket, timed; on the training thread its time is also waited.
    private func reduce(_ bucket: DataParallel.Bucket, onTrainingThread: Bool) {
        let started = Self.now()
        do {
            try communicator.allReduce(bucket.buffer, .sum)
        } catch {
            communicator.abort("gradient all-reduce failed: \(error)")
        }
        let elapsed = Self.seconds(since: started)
        condition.lock()
        stats.allReduceSeconds += elapsed
        if onTrainingThread { stats.waitSeconds += elapsed } else { finished += 1 }
        stats.allReduces += 1
        stats.bytes += bucket.count * MemoryLayout<Float>.size
        condition.broadcast()
        condition.unlock()
    }

    /// Monotonic nanoseconds (one `clock_gettime`; cheaper than `ContinuousClock`'s `Duration`).
    private static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    private static func seconds(since start: UInt64) -> Double { Double(now() &- start) * 1e-9 }
}
