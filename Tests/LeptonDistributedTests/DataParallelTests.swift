import Foundation
import LeptonDistributed
import LeptonNN
import LeptonTensor
import LeptonTrain
import Testing

/// DataParallel in one process: gradients weighted by the rank's share of the global batch and
/// carried through buckets unchanged, fingerprints stable across machines, options checked.
@Suite struct DataParallelTests {
    @Test func bucketsCarryWeightedGradients() throws {
        let parameters = [Tensor([1, 2, 3], shape: [3]), Tensor([4, 5], shape: [2]), Tensor([6], shape: [1])]
        for (p, g) in zip(parameters, [[0.5, -1, 2], [8, 16], [-4]] as [[Float]]) { p.grad = Tensor(g, shape: [g.count]) }
        // 8-byte buckets: two floats per bucket at most, one parameter at least → three all-reduces.
        let strategy = try DataParallel(communicator: LocalCommunicator(), bucketBytes: 8)
        strategy.beginBatch(rows: 16, globalRows: 32)
        strategy.synchronizeGradients(parameters)
        #expect(parameters.map { $0.grad!.scalars } == [[0.25, -0.5, 1], [4, 8], [-2]])
        #expect(strategy.statistics.allReduces == 3 && strategy.statistics.bytes == 24)
        // One large bucket: a single all-reduce; parameters without a gradient are left alone.
        let fused = try DataParallel(communicator: LocalCommunicator())
        let frozen = Tensor([9], shape: [1])
        fused.beginBatch(rows: 5, globalRows: 5)
        fused.synchronizeGradients(parameters + [frozen])
        #expect(fused.statistics.allReduces == 1 && frozen.grad == nil)
        #expect(parameters[1].grad!.scalars == [4, 8])
    }

    @Test func reducedGradientsAreViewsIntoTheBucketUnlessCopiesAreAskedFor() throws {
        func synchronized(views: Bool) throws -> [Tensor] {
            let parameters = [Tensor([1, 2, 3], shape: [3]), Tensor([4, 5], shape: [2])]
            for (p, g) in zip(parameters, [[2, 4, 6], [8, 10]] as [[Float]]) { p.grad = Tensor(g, shape: [g.count]) }
            let strategy = try DataParallel(communicator: LocalCommunicator(), gradientsAsBucketViews: views)
            strategy.beginBatch(rows: 1, globalRows: 2)
            strategy.synchronizeGradients(parameters)
            return parameters
        }
        let viewed = try synchronized(views: true), copied = try synchronized(views: false)
        #expect(viewed.map { $0.grad!.scalars } == [[1, 2, 3], [4, 5]] && copied.map { $0.grad!.scalars } == [[1, 2, 3], [4, 5]])
        // Reversed parameter order in one bucket: the second parameter's gradient comes first.
        let first = viewed[1].grad!.storage.pointer, second = viewed[0].grad!.storage.pointer
        #expect(second == first + 2 * MemoryLayout<Float>.size, "both gradients are slices of one bucket")
        #expect(copied[0].grad!.storage.pointer != copied[1].grad!.storage.pointer + 2 * MemoryLayout<Float>.size)
    }

    @Test func fingerprintsAreFNV1a() {
        #expect(DataParallel.fingerprint("") == 0xCBF2_9CE4_8422_2325)
        #expect(DataParallel.fingerprint("a") == 0xAF63_DC4C_8601_EC8C)
        #expect(DataParallel.fingerprint("batch_size: 16") != DataParallel.fingerprint("batch_size: 32"))
    }

    @Test func aBucketSmallerThanAFloatIsRefused() {
        #expect(throws: DistributedError.self) { _ = try DataParallel(communicator: LocalCommunicator(), bucketBytes: 2) }
    }

    @Test func oneRankTrainsAsWithoutAStrategy() throws {
        func train(_ strategy: DistributionStrategy?) throws -> [Float] {
            try GlobalRandom.scoped(seed: 3) {
                let model = Sequential([Dense(units: 4, activation: .relu), Dense(units: 1)])
                try model.compile(optimizer: "sgd", loss: "mse")
                model.shuffleSeed = 1
                model.distribution = strategy
                let x = Tensor((0..<40).map { Float($0) / 40 }, shape: [20, 2]), y = Tensor((0..<20).map { Float($0) / 20 }, shape: [20, 1])
                try model.fit(x: x, y: y, epochs: 2, batchSize: 8, verbose: .silent)
                return model.parameters().flatMap(\.scalars)
            }
        }
        #expect(try train(DataParallel(communicator: LocalCommunicator())) == train(nil))
    }

    /// Overlap: buckets are all-reduced on the communication thread, in bucket order, as backward
    /// finishes them; the result is what the plain path gives.
    @Test func overlappedBucketsGiveThePlainResult() throws {
        let model = Sequential([Dense(units: 8, activation: .relu), Dense(units: 6, activation: .relu), Dense(units: 1)])
        try model.compile(optimizer: "sgd", loss: "mse")
        let x = Tensor((0..<24).map { Float($0) / 24 }, shape: [8, 3]), y = Tensor((0..<8).map { Float($0) }, shape: [8, 1])
        model.build(inputShape: [3])
        let parameters = model.parameters()
        func gradients(_ strategy: DataParallel?) -> [[Float]] {
            parameters.forEach { $0.zeroGrad() }
            let loss = model.loss!(model.forward(x), y)
            if let strategy {
                strategy.beginBatch(rows: 4, globalRows: 8)     // half of a global batch of 8
                loss.backward(onLeafGradient: strategy.gradientReady)
                strategy.synchronizeGradients(parameters)
            } else {
                loss.backward()
            }
            return parameters.map { $0.grad!.scalars }
        }
        let plain = gradients(nil)
        let mirror = MirrorCommunicator()
        // 40-byte buckets: the three layers' parameters fall into several buckets.
        let strategy = try DataParallel(communicator: mirror, bucketBytes: 40, overlap: true)
        for _ in 0..<3 { #expect(gradients(strategy) == plain) }     // ½ × gradient, summed over two equal ranks
        let calls = mirror.calls
        #expect(calls.count == strategy.statistics.allReduces && calls.count % 3 == 0 && calls.count > 3)
        let trainingThread = pthread_self()
        let onWorker = calls.allSatisfy { pthread_equal($0.thread, trainingThread) == 0 }
        #expect(onWorker, "all-reduces run on the communication thread, not the training thread")
        let perStep = calls.count / 3
        #expect(calls.prefix(perStep).map(\.count) == calls.suffix(perStep).map(\.count), "the same buckets every step")
    }
}

/// The bucket path: backward (``DataParallel/backward(_:)``) writes each gradient into its bucket
/// slot already weighted by the rank's rows, and the step all-reduces the bucket as it is.
@Suite struct DataParallelBucketPathTests {
    /// A small model and one batch; the same weights for every call.
    func model() throws -> Sequential {
        try GlobalRandom.scoped(seed: 5) {
            let model = Sequential([Dense(units: 8, activation: .relu), Dense(units: 6, activation: .relu), Dense(units: 1)])
            try model.compile(optimizer: "sgd", loss: "mse")
            model.build(inputShape: [3])
            return model
        }
    }
    let x = Tensor((0..<24).map { Float($0) / 24 }, shape: [8, 3]), y = Tensor((0..<8).map { Float($0) }, shape: [8, 1])

    /// Training steps with gradient clipping over two mirrored ranks holding half a global batch
    /// each take the one-process steps exactly (½ × gradient, summed over two equal ranks), for
    /// one bucket and for several overlapped ones; the gradients are views into the buckets.
    @Test(arguments: [1 << 20, 40])
    func stepsThroughTheBucketsEqualOneProcess(bucketBytes: Int) throws {
        let plain = try model(), mirrored = try model()
        for m in [plain, mirrored] { m.optimizer!.clipNorm = 0.5 }
        let strategy = try DataParallel(communicator: MirrorCommunicator(), bucketBytes: bucketBytes)
        mirrored.distribution = strategy
        for _ in 0..<3 {
            strategy.beginBatch(rows: 4, globalRows: 8)
            _ = plain.standardTrainStep(x: x, y: y)
            _ = mirrored.standardTrainStep(x: x, y: y)
            #expect(mirrored.parameters().map(\.scalars) == plain.parameters().map(\.scalars))
        }
        // Without clipping the reduced gradients stay where backward wrote them.
        mirrored.optimizer!.clipNorm = nil
        strategy.beginBatch(rows: 4, globalRows: 8)
        _ = mirrored.standardTrainStep(x: x, y: y)
        let parameters = mirrored.parameters()
        for p in parameters { #expect(p.gradientDestination != nil && p.grad!.storage.pointer == p.gradientDestination!.storage.pointer) }
        if bucketBytes == 1 << 20 {
            // One bucket in reverse parameter order: each gradient right after the next parameter's.
            for (p, next) in zip(parameters, parameters.dropFirst()) {
                #expect(p.grad!.storage.pointer == next.grad!.storage.pointer + next.count * MemoryLayout<Float>.size)
            }
        }
        let allReduces = strategy.statistics.allReduces
        #expect(bucketBytes == 40 ? allReduces > 4 && allReduces % 4 == 0 : allReduces == 4, "\(allReduces) all-reduces in 4 steps")
    }

    /// Unequal shards: a rank holding 3 of 8 rows contributes 3/8 of its gradient (the seed's
    /// weight), summed over two mirrored ranks: 3/4 of the one-process gradient. A parameter
    /// outside the graph and a frozen one keep no gradient (their slots carry zeros).
    @Test func unequalShardsUnusedAndFrozenParameters() throws {
        let net = try model()
        let parameters = net.parameters()
        let unused = Tensor.zeros([5]).requiringGrad(), frozen = Tensor.ones([2])
        func gradients(_ strategy: DataParallel?) -> [[Float]] {
            (parameters + [unused]).forEach { $0.zeroGrad() }
            let loss = net.loss!(net.forward(x), y)
            if let strategy {
                strategy.beginBatch(rows: 3, globalRows: 8)
                strategy.backward(loss)
                strategy.synchronizeGradients(parameters + [unused, frozen])
            } else {
                loss.backward()
            }
            return parameters.map { $0.grad!.scalars }
        }
        let plain = gradients(nil)
        let strategy = try DataParallel(communicator: MirrorCommunicator(), bucketBytes: 64)
        for _ in 0..<2 {
            let reduced = gradients(strategy)
            for (r, p) in zip(reduced, plain) {
                for (a, b) in zip(r, p) { #expect(abs(a - 0.75 * b) <= 1e-6 * max(1, abs(b))) }
            }
            #expect(unused.grad == nil && frozen.grad == nil)
            #expect(unused.gradientDestination!.scalars == [0, 0, 0, 0, 0])
        }
    }
}

/// A two-rank communicator whose other rank always holds the same values as this one (so a sum
/// doubles, a mean or maximum keeps): tests the machinery of several ranks in one process.
final class MirrorCommunicator: Communicator, @unchecked Sendable {
    struct Call { let count: Int; let thread: pthread_t }
    private let lock = NSLock()
    private var recorded: [Call] = []
    var calls: [Call] { lock.lock(); defer { lock.unlock() }; return recorded }
    var rank: Int { 0 }
    var size: Int { 2 }
    func allReduce(_ buffer: UnsafeMutableBufferPointer<Float>, _ operation: ReduceOperation) throws {
        lock.lock(); recorded.append(Call(count: buffer.count, thread: pthread_self())); lock.unlock()
        if operation == .sum { for i in buffer.indices { buffer[i] *= 2 } }
    }
    func allReduce(_ buffer: UnsafeMutableBufferPointer<Double>, _ operation: ReduceOperation) throws {
        if operation == .sum { for i in buffer.indices { buffer[i] *= 2 } }
    }
    func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) throws {}
    func allGather(_ values: [Float]) throws -> [Float] { values + values }
    func barrier() throws {}
    func reduceScatter(_ buffer: [Float], _ operation: ReduceOperation) throws -> [Float] { Array(buffer.prefix(buffer.count / 2)) }
    func abort(_ message: String) -> Never { fatalError(message) }
}
