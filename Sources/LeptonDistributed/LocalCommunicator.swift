import Foundation

/// The communicator of a job with one process (rank 0 of 1): every collective leaves the
/// buffers as they are, as the reduction over one rank does. Training without `mpirun` uses it.
public final class LocalCommunicator: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }

    public func allReduce(_ buffer: UnsafeMutableBufferPointer<Float>, _ operation: ReduceOperation) throws {}

    public func allReduce(_ buffer: UnsafeMutableBufferPointer<Double>, _ operation: ReduceOperation) throws {}

    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) throws {
        guard root == 0 else { throw DistributedError("broadcast: root \(root) is not a rank of a 1-process job (expected 0)") }
    }

    public func allGather(_ values: [Float]) throws -> [Float] { values }

    public func barrier() throws {}

    public func reduceScatter(_ buffer: [Float], _ operation: ReduceOperation) throws -> [Float] {
        guard operation != .max else { throw DistributedError("reduceScatter: expected sum or mean, got max") }
        return buffer
    }

    public func abort(_ message: String) -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        exit(1)
    }
}
