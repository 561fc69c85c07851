/// How ``Communicator/allReduce(_:_:)`` combines the ranks' values, element by element.
public enum ReduceOperation: String, Sendable, CaseIterable {
    /// The sum over ranks.
    case sum
    /// The sum over ranks divided by the number of ranks.
    case mean
    /// The largest value over ranks.
    case max
}

/// Collective operations among the processes of one job (`torch.distributed`'s process group,
/// Horovod's MPI layer). Every rank must call the same collectives in the same order with buffers
/// of the same length; a collective returns on a rank once that rank's part is done.
///
/// ```swift
/// let communicator = try Distributed.communicator()      // MPI under mpirun, else one process
/// var gradient: [Float] = ...
/// try communicator.allReduce(&gradient, .mean)            // the mean over all ranks, on every rank
/// ```
public protocol Communicator: AnyObject {
    /// This process's index, `0..<size`; rank 0 prints, and writes checkpoints and models.
    var rank: Int { get }
    /// The number of processes in the job.
    var size: Int { get }
    /// Replaces `buffer` on every rank by the element-wise reduction over all ranks.
    /// - Throws: ``DistributedError`` when the transport fails.
    func allReduce(_ buffer: UnsafeMutableBufferPointer<Float>, _ operation: ReduceOperation) throws
    /// ``allReduce(_:_:)`` in double precision (loss sums, sample counts, metric totals).
    /// - Throws: ``DistributedError`` when the transport fails.
    func allReduce(_ buffer: UnsafeMutableBufferPointer<Double>, _ operation: ReduceOperation) throws
    /// Replaces `buffer` on every rank by its contents on rank `root`.
    /// - Throws: ``DistributedError`` for a root outside `0..<size` or a transport failure.
    func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) throws
    /// Every rank's `values`, concatenated in rank order (each rank gives the same count).
    /// - Throws: ``DistributedError`` when the transport fails.
    func allGather(_ values: [Float]) throws -> [Float]
    /// Returns once every rank has called it.
    /// - Throws: ``DistributedError`` when the transport fails.
    func barrier() throws
    /// Reduces `buffer` over all ranks (sum or mean; its count a multiple of ``size``) and
    /// returns this rank's block: elements `rank * count / size ..< (rank + 1) * count / size`.
    /// - Throws: ``DistributedError`` for a count that is not a multiple of ``size``, or a transport failure.
    func reduceScatter(_ buffer: [Float], _ operation: ReduceOperation) throws -> [Float]
    /// Sends `buffer` to rank `destination` under `tag` (0...32767); returns once `buffer` may be
    /// reused (the receiver may not have it yet). Messages from one rank to another under one
    /// tag arrive in the order they were sent.
    /// - Throws: ``DistributedError`` for a destination outside `0..<size`, a bad tag, or a transport failure.
    func send(_ buffer: UnsafeBufferPointer<Float>, to destination: Int, tag: Int) throws
    /// Receives into `buffer` the next message from `source` (nil: any rank) under `tag` (nil:
    /// any tag), waiting for it; the message must hold exactly `buffer.count` floats.
    /// - Returns: who sent it, under which tag.
    /// - Throws: ``DistributedError`` for a source outside `0..<size`, a message of another
    ///   length, a message that can never come (a 1-process job), or a transport failure.
    @discardableResult
    func receive(_ buffer: UnsafeMutableBufferPointer<Float>, from source: Int?, tag: Int?) throws -> Message
    /// The next message from `source` (nil: any rank) under `tag` (nil: any tag), left to
    /// ``receive(_:from:tag:)``: waits for one when `wait`, else returns nil when none is there.
    /// - Throws: ``DistributedError`` for a source outside `0..<size`, waiting for a message that
    ///   can never come (a 1-process job), or a transport failure.
    func probe(from source: Int?, tag: Int?, wait: Bool) throws -> Message?
    /// Ends every process of the job after writing `message` (naming this rank) on standard
    /// error: what a rank does on an error its peers cannot see, so that they do not wait for ever.
    func abort(_ message: String) -> Never
}

extension Communicator {
    /// ``allReduce(_:_:)`` over an array.
    public func allReduce(_ values: inout [Float], _ operation: ReduceOperation) throws {
        try values.withUnsafeMutableBufferPointer { try allReduce($0, operation) }
    }

    /// ``broadcast(_:root:)`` over an array.
    public func broadcast(_ values: inout [Float], root: Int = 0) throws {
        try values.withUnsafeMutableBufferPointer { try broadcast($0, root: root) }
    }

    /// Sums `values` over all ranks (loss sums, sample counts, metric totals), on every rank.
    /// - Throws: ``DistributedError`` when the transport fails.
    public func sum(_ values: [Double]) throws -> [Double] {
        var values = values
        try values.withUnsafeMutableBufferPointer { try allReduce($0, .sum) }
        return values
    }

    /// Checks that every rank holds the same 64-bit `value` (a fingerprint of its setup).
    /// - Returns: the ranks whose value differs from rank 0's (empty when all agree).
    /// - Throws: ``DistributedError`` when the transport fails.
    public func ranksDiffering(from value: UInt64) throws -> [Int] {
        // Four 16-bit pieces, each exact in a Float.
        let pieces = (0..<4).map { Float((value >> (16 * UInt64($0))) & 0xFFFF) }
        let all = try allGather(pieces)
        let root = Array(all[0..<4])
        return (0..<size).filter { Array(all[(4 * $0)..<(4 * $0 + 4)]) != root }
    }
}

/// A point-to-point message seen by ``Communicator/probe(from:tag:wait:)`` or
/// ``Communicator/receive(_:from:tag:)``: its sender, tag and length in floats.
public struct Message: Sendable, Equatable {
    /// The rank that sent it.
    public let source: Int
    /// The tag it was sent under.
    public let tag: Int
    /// Its length in floats.
    public let count: Int

    /// A message from `source` under `tag`, `count` floats long.
    public init(source: Int, tag: Int, count: Int) {
        self.source = source
        self.tag = tag
        self.count = count
    }
}

extension Communicator {
    /// Checks a peer rank and a tag of a point-to-point call, naming the call.
    public func checkPeer(_ rank: Int?, tag: Int?, _ call: String) throws {
        if let rank, !(0..<size).contains(rank) {
            throw DistributedError("\(call): rank \(rank) is not a rank of this \(size)-process job (expected 0..<\(size))")
        }
        if let tag, !(0...32767).contains(tag) {
            throw DistributedError("\(call): tag \(tag) is outside 0...32767")
        }
    }

    /// Refuses: this communicator has collectives only (the parameter server needs messages).
    public func send(_ buffer: UnsafeBufferPointer<Float>, to destination: Int, tag: Int) throws {
        throw DistributedError("send: \(type(of: self)) has no point-to-point messages; expected MPICommunicator or LocalCommunicator")
    }

    /// Refuses: this communicator has collectives only.
    @discardableResult
    public func receive(_ buffer: UnsafeMutableBufferPointer<Float>, from source: Int?, tag: Int?) throws -> Message {
        throw DistributedError("receive: \(type(of: self)) has no point-to-point messages; expected MPICommunicator or LocalCommunicator")
    }

    /// Refuses: this communicator has collectives only.
    public func probe(from source: Int?, tag: Int?, wait: Bool) throws -> Message? {
        throw DistributedError("probe: \(type(of: self)) has no point-to-point messages; expected MPICommunicator or LocalCommunicator")
    }

    /// ``send(_:to:tag:)`` of an array.
    public func send(_ values: [Float], to destination: Int, tag: Int) throws {
        try values.withUnsafeBufferPointer { try send($0, to: destination, tag: tag) }
    }
}

/// A failure of a collective operation or of the distributed setup, with what was expected.
public struct DistributedError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
