import CMPI
import Foundation
import LeptonDistributed

/// The communicator of a job launched by `mpirun` (or `srun --mpi=pmix`), over OpenMPI's
/// `MPI_COMM_WORLD`: the real engine for several processes on one or several machines.
///
/// Only one instance exists per process (MPI is initialised once): ``shared()``. A collective
/// that makes no progress for ``timeout`` seconds (a rank died or hangs) aborts the whole job
/// with an error naming this rank and the operation, instead of waiting for ever.
public final class MPICommunicator: Communicator, @unchecked Sendable {
    public let rank: Int
    public let size: Int
    /// Seconds a collective may wait before the job is aborted (nil: wait for ever).
    public let timeout: Double?
    private let world: MPI_Comm
    private let watchdog = Watchdog()

    private nonisolated(unsafe) static var instance: MPICommunicator?
    private static let lock = NSLock()

    /// The process's communicator, initialising MPI on first use (`MPI_Init_thread`, serialized:
    /// one thread at a time calls MPI). Without `mpirun` OpenMPI starts a one-process job.
    /// - Parameter timeout: seconds a collective may wait before the job is aborted (first call only).
    /// - Throws: ``DistributedError`` when MPI cannot be initialised.
    public static func shared(timeout: Double? = 300) throws -> MPICommunicator {
        lock.lock(); defer { lock.unlock() }
        if let instance { return instance }
        var provided: Int32 = 0
        let status = MPI_Init_thread(nil, nil, Int32(MPI_THREAD_SERIALIZED), &provided)
        guard status == lepton_mpi_success() else { throw DistributedError("MPI_Init_thread failed (code \(status))") }
        guard let world = lepton_mpi_comm_world() else { throw DistributedError("MPI_COMM_WORLD is not available after MPI_Init_thread") }
        MPI_Comm_set_errhandler(world, lepton_mpi_errors_return())
        var rank: Int32 = 0, size: Int32 = 0
        MPI_Comm_rank(world, &rank)
        MPI_Comm_size(world, &size)
        let made = MPICommunicator(rank: Int(rank), size: Int(size), world: world, timeout: timeout)
        instance = made
        return made
    }

    private init(rank: Int, size: Int, world: MPI_Comm, timeout: Double?) {
        self.rank = rank
        self.size = size
        self.world = world
        self.timeout = timeout
        if let timeout { watchdog.start(timeout: timeout, rank: rank, world: WorldHandle(comm: world)) }
    }

    /// Ends MPI (`MPI_Finalize`; collective: every rank calls it once, at the end of the job).
    public func finalize() {
        watchdog.stop()
        var finalized: Int32 = 0
        MPI_Finalized(&finalized)
        if finalized == 0 { MPI_Finalize() }
    }

    /// Writes `message` naming this rank and ends every process of the job (`MPI_Abort`).
    public func abort(_ message: String) -> Never {
        FileHandle.standardError.write(Data("error: rank \(rank) of \(size): \(message)\n".utf8))
        MPI_Abort(world, 1)
        exit(1)
    }

    public func allReduce(_ buffer: UnsafeMutableBufferPointer<Float>, _ operation: ReduceOperation) throws {
        try allReduce(UnsafeMutableRawPointer(buffer.baseAddress), count: buffer.count, type: lepton_mpi_float(), operation)
        if operation == .mean {
            let scale = 1 / Float(size)
            for i in buffer.indices { buffer[i] *= scale }
        }
    }

    public func allReduce(_ buffer: UnsafeMutableBufferPointer<Double>, _ operation: ReduceOperation) throws {
        try allReduce(UnsafeMutableRawPointer(buffer.baseAddress), count: buffer.count, type: lepton_mpi_double(), operation)
        if operation == .mean {
            let scale = 1 / Double(size)
            for i in buffer.indices { buffer[i] *= scale }
        }
    }

    private func allReduce(_ pointer: UnsafeMutableRawPointer?, count: Int, type: MPI_Datatype, _ operation: ReduceOperation) throws {
        guard count > 0, size > 1 else { return }
        let op = operation == .max ? lepton_mpi_op_max() : lepton_mpi_op_sum()
        try check("MPI_Allreduce") { MPI_Allreduce(lepton_mpi_in_place(), pointer, Int32(count), type, op, world) }
    }

    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) throws {
        guard (0..<size).contains(root) else { throw DistributedError("broadcast: root \(root) is not a rank of this \(size)-process job") }
        guard buffer.count > 0, size > 1 else { return }
        try check("MPI_Bcast") { MPI_Bcast(buffer.baseAddress, Int32(buffer.count), lepton_mpi_float(), Int32(root), world) }
    }

    public func allGather(_ values: [Float]) throws -> [Float] {
        guard size > 1 else { return values }
        var result = [Float](repeating: 0, count: values.count * size)
        try values.withUnsafeBufferPointer { send in
            try result.withUnsafeMutableBufferPointer { receive in
                try check("MPI_Allgather") {
                    MPI_Allgather(send.baseAddress, Int32(values.count), lepton_mpi_float(),
                                  receive.baseAddress, Int32(values.count), lepton_mpi_float(), world)
                }
            }
        }
        return result
    }

    public func barrier() throws {
        try check("MPI_Barrier") { MPI_Barrier(world) }
    }

    public func reduceScatter(_ buffer: [Float], _ operation: ReduceOperation) throws -> [Float] {
        guard operation != .max else { throw DistributedError("reduceScatter: expected sum or mean, got max") }
        guard buffer.count % size == 0 else {
            throw DistributedError("reduceScatter: \(buffer.count) elements do not split into \(size) equal blocks")
        }
        let block = buffer.count / size
        var result = [Float](repeating: 0, count: block)
        if size == 1 { result = buffer } else if block > 0 {
            try buffer.withUnsafeBufferPointer { send in
                try result.withUnsafeMutableBufferPointer { receive in
                    try check("MPI_Reduce_scatter_block") {
                        MPI_Reduce_scatter_block(send.baseAddress, receive.baseAddress, Int32(block), lepton_mpi_float(),
                                                 lepton_mpi_op_sum(), world)
                    }
                }
            }
        }
        if operation == .mean { result = result.map { $0 / Float(size) } }
        return result
    }

    public func send(_ buffer: UnsafeBufferPointer<Float>, to destination: Int, tag: Int) throws {
        try checkPeer(destination, tag: tag, "send")
        try check("MPI_Send to rank \(destination)") {
            MPI_Send(buffer.baseAddress, Int32(buffer.count), lepton_mpi_float(), Int32(destination), Int32(tag), world)
        }
    }

    @discardableResult
    public func receive(_ buffer: UnsafeMutableBufferPointer<Float>, from source: Int?, tag: Int?) throws -> Message {
        try checkPeer(source, tag: tag, "receive")
        // Probe first, so that a message of another length is an error that names both lengths.
        guard let message = try probe(from: source, tag: tag, wait: true) else { throw DistributedError("receive: no message") }
        guard message.count == buffer.count else {
            throw DistributedError("rank \(rank) of \(size): receive: the message from rank \(message.source) under tag \(message.tag) holds \(message.count) floats, expected \(buffer.count)")
        }
        var status = MPI_Status()
        try check("MPI_Recv from rank \(message.source)") {
            MPI_Recv(buffer.baseAddress, Int32(buffer.count), lepton_mpi_float(), Int32(message.source), Int32(message.tag), world, &status)
        }
        return message
    }

    public func probe(from source: Int?, tag: Int?, wait: Bool) throws -> Message? {
        try checkPeer(source, tag: tag, "probe")
        var status = MPI_Status(), found: Int32 = 1
        let from = Int32(source ?? Int(lepton_mpi_any_source())), under = Int32(tag ?? Int(lepton_mpi_any_tag()))
        if wait {
            try check("MPI_Probe") { MPI_Probe(from, under, world, &status) }
        } else {
            try check("MPI_Iprobe") { MPI_Iprobe(from, under, world, &found, &status) }
        }
        guard found != 0 else { return nil }
        var count: Int32 = 0
        MPI_Get_count(&status, lepton_mpi_float(), &count)
        return Message(source: Int(status.MPI_SOURCE), tag: Int(status.MPI_TAG), count: Int(count))
    }

    /// Runs one MPI call under the watchdog and turns its error code into a ``DistributedError``.
    private func check(_ name: String, _ call: () -> Int32) throws {
        watchdog.enter(name)
        let status = call()
        watchdog.leave()
        guard status == lepton_mpi_success() else {
            var length: Int32 = 0
            var text = [CChar](repeating: 0, count: Int(lepton_mpi_max_error_string()) + 1)
            MPI_Error_string(status, &text, &length)
            throw DistributedError("rank \(rank) of \(size): \(name) failed: \(String(cString: text))")
        }
    }
}

/// `MPI_COMM_WORLD` handed to the watchdog's thread (a handle MPI allows any thread to use for `MPI_Abort`).
private struct WorldHandle: @unchecked Sendable { let comm: MPI_Comm }

/// Aborts the job when one collective waits longer than a timeout (a peer died or hangs).
private final class Watchdog: @unchecked Sendable {
    private let condition = NSCondition()
    private var operation: String?
    private var entered = Date()
    private var calls = 0
    private var stopped = false

    func start(timeout: Double, rank: Int, world: WorldHandle) {
        let thread = Thread { [self] in
            condition.lock()
            while !stopped {
                _ = condition.wait(until: Date(timeIntervalSinceNow: min(1, timeout / 4)))
                if let operation, Date().timeIntervalSince(entered) > timeout {
                    let message = "error: rank \(rank): \(operation) (collective call \(calls)) made no progress for "
                        + String(format: "%.0f", timeout) + " s: another rank died or hangs; aborting the job\n"
                    FileHandle.standardError.write(Data(message.utf8))
                    MPI_Abort(world.comm, 1)
                    exit(1)
                }
            }
            condition.unlock()
        }
        thread.stackSize = 1 << 18
        thread.start()
    }

    func enter(_ name: String) {
        condition.lock()
        operation = name
        entered = Date()
        calls += 1
        condition.unlock()
    }

    func leave() {
        condition.lock()
        operation = nil
        condition.unlock()
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}

extension MPICommunicator {
    /// The communicator for this process: MPI's when a launcher (`mpirun`, `srun`) started it,
    /// else a ``LeptonDistributed/LocalCommunicator`` (MPI is then never initialised).
    /// - Parameter timeout: seconds an MPI collective may wait before the job is aborted.
    /// - Throws: ``LeptonDistributed/DistributedError`` when MPI cannot be initialised.
    public static func forProcess(timeout: Double? = 300) throws -> Communicator {
        Distributed.isLaunchedByMPI() ? try shared(timeout: timeout) : LocalCommunicator()
    }
}
