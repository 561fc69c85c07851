import LeptonNN
import LeptonTensor
import LeptonTrain

/// Data-parallel training over a ``Communicator`` (Horovod's and PyTorch DDP's scheme): every
/// rank holds the whole model, reads its own part of each global batch, and averages the
/// gradients with the other ranks before every optimizer step, so that all ranks take the same
/// step — the step one process would take on the global batch.
///
/// ```swift
/// let strategy = DataParallel(communicator: try Distributed.communicator())
/// model.distribution = strategy            // fit, evaluate: sharded data, synchronised steps
/// try model.fit(loader, epochs: 3)          // batch size per rank; rank 0 shows progress
/// ```
///
/// At the start (``prepare(_:)``) the ranks compare a fingerprint of their configuration
/// (``configurationFingerprint``), model (parameter names and shapes, optimizer) and data (sample
/// and batch counts), and copy rank 0's weights. Gradients travel fused into buckets of about
/// ``bucketBytes`` in reverse parameter order (the order backward finishes them), one
/// all-reduce per bucket. Gradients are weighted by the rows each rank held, so a last batch
/// split unevenly still gives the global batch's mean gradient.
/// Not yet: overlapping the all-reduce with the backward pass (the buckets go after backward).
public final class DataParallel: DistributionStrategy {
    /// The processes training together.
    public let communicator: Communicator
    /// Bytes of gradients fused into one all-reduce (Horovod's tensor fusion; PyTorch's 25 MB buckets).
    public let bucketBytes: Int
    /// A hash of what must be the same on every rank besides the model (the config file and the
    /// options that change training); compared across ranks by ``prepare(_:)``.
    public var configurationFingerprint: UInt64
    /// What the all-reduces moved and how long they took, since the strategy was made.
    public private(set) var statistics = Statistics()
    private var weight: Float = 1
    private var bucket: [Float] = []

    /// Totals of gradient synchronisation.
    public struct Statistics: Sendable {
        /// All-reduce calls and the bytes they reduced.
        public var allReduces = 0, bytes = 0
        /// Seconds spent in them (including waiting for slower ranks).
        public var seconds: Double = 0
    }

    /// - Parameters:
    ///   - communicator: the ranks (``Distributed/communicator(timeout:)``).
    ///   - bucketBytes: gradient bytes fused into one all-reduce, at least 4.
    ///   - configurationFingerprint: a hash of the run's configuration (``fingerprint(_:)``).
    /// - Throws: ``DistributedError`` for a bucket size below 4 bytes.
    public init(communicator: Communicator, bucketBytes: Int = 25 << 20, configurationFingerprint: UInt64 = 0) throws {
        guard bucketBytes >= 4 else { throw DistributedError("bucket size: expected at least 4 bytes (one float), got \(bucketBytes)") }
        self.communicator = communicator
        self.bucketBytes = bucketBytes
        self.configurationFingerprint = configurationFingerprint
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
        let model = context.model
        let named = model.namedParameters() + model.namedBuffers()
        let modelText = named.map { "\($0.0):\($0.1.dtype):\($0.1.shape)" }.joined(separator: ";")
            + "|optimizer:\(type(of: context.optimizer))|steps:\(context.stepsPerEpoch)|epochs:\(context.epochs)"
        try check(configurationFingerprint, what: "configuration (the config file and the options given to train)")
        try check(Self.fingerprint(modelText), what: "model, optimizer or data (parameter names and shapes, steps per epoch)")
        try check(UInt64(context.initialEpoch), what: "starting epoch (a backup one rank restored and another did not find)")
        // Rank 0's weights (and buffers) everywhere.
        let tensors = named.map(\.1).filter { $0.dtype == .float32 }
        var values = [Float](repeating: 0, count: tensors.reduce(0) { $0 + $1.count })
        var offset = 0
        for tensor in tensors {
            values.withUnsafeMutableBufferPointer { $0.baseAddress!.advanced(by: offset).update(from: tensor.floats, count: tensor.count) }
            offset += tensor.count
        }
        try communicator.broadcast(&values, root: 0)
        offset = 0
        for tensor in tensors {
            values.withUnsafeBufferPointer { tensor.floats.update(from: $0.baseAddress!.advanced(by: offset), count: tensor.count) }
            offset += tensor.count
        }
    }

    /// Throws naming the ranks whose `value` differs from rank 0's.
    private func check(_ value: UInt64, what: String) throws {
        let differing = try communicator.ranksDiffering(from: value)
        guard differing.isEmpty else {
            throw DistributedError("the ranks disagree on the \(what): rank(s) \(differing.map(String.init).joined(separator: ", ")) "
                                   + "differ from rank 0; every rank must run the same config and data")
        }
    }

    public func beginBatch(rows: Int, globalRows: Int) {
        weight = globalRows > 0 ? Float(rows) / Float(globalRows) : 0
    }

    /// Replaces each gradient by the sum over ranks of `rows / globalRows × gradient`: fused
    /// into buckets in reverse parameter order, one all-reduce per bucket. A transport failure
    /// ends the job (``MPICommunicator`` aborts it; a step cannot continue with some ranks' gradients).
    public func synchronizeGradients(_ parameters: [Tensor]) {
        let withGradients = parameters.reversed().filter { $0.grad != nil }
        let capacity = Swift.max(1, bucketBytes / MemoryLayout<Float>.size)
        var start = 0
        while start < withGradients.count {
            // One bucket: parameters until the next would pass the capacity (at least one).
            var end = start, elements = 0
            while end < withGradients.count && (end == start || elements + withGradients[end].count <= capacity) {
                elements += withGradients[end].count
                end += 1
            }
            reduce(Array(withGradients[start..<end]), elements: elements)
            start = end
        }
    }

    private func reduce(_ tensors: [Tensor], elements: Int) {
        if bucket.count < elements { bucket = [Float](repeating: 0, count: elements) }
        let weight = self.weight
        bucket.withUnsafeMutableBufferPointer { buffer in
            var offset = 0
            for tensor in tensors {
                let gradient = tensor.grad!.dtype == .float32 ? tensor.grad! : tensor.grad!.cast(to: .float32)
                let source = gradient.floats, target = buffer.baseAddress!.advanced(by: offset)
                for i in 0..<tensor.count { target[i] = source[i] * weight }
                offset += tensor.count
            }
            let clock = ContinuousClock(), started = clock.now
            do {
                try communicator.allReduce(UnsafeMutableBufferPointer(rebasing: buffer[0..<elements]), .sum)
            } catch {
                communicator.abort("gradient all-reduce failed: \(error)")
            }
            let elapsed = started.duration(to: clock.now).components
            statistics.seconds += Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
            statistics.allReduces += 1
            statistics.bytes += elements * MemoryLayout<Float>.size
            offset = 0
            for tensor in tensors {
                let reduced = Tensor(uninitializedShape: tensor.shape, dtype: .float32, backend: tensor.backend)
                reduced.floats.update(from: buffer.baseAddress!.advanced(by: offset), count: tensor.count)
                tensor.grad = reduced
                offset += tensor.count
            }
        }
    }

    public func sum(_ values: [Double]) throws -> [Double] {
        try communicator.sum(values)
    }
}
