import Foundation

/// The communicator of a job with one process (rank 0 of 1): every collective leaves the
/// buffers as they are, as the reduction over one rank does. Training without `mpirun` uses it.
/// Point-to-point messages go from rank 0 to itself: ``send(_:to:tag:)`` queues them and
/// ``receive(_:from:tag:)`` takes the oldest with a matching tag; waiting for one that was never
/// sent throws instead of waiting for ever.
public final class LocalCommunicator: Communicator {
    private var queued: [(tag: Int, values: [Float])] = []

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

    public func send(_ buffer: UnsafeBufferPointer<Float>, to destination: Int, tag: Int) throws {
        try checkPeer(destination, tag: tag, "send")
        queued.append((tag, Array(buffer)))
    }

    @discardableResult
    public func receive(_ buffer: UnsafeMutableBufferPointer<Float>, from source: Int?, tag: Int?) throws -> Message {
        let message = try waiting(from: source, tag: tag, call: "receive")
        guard let index = queued.firstIndex(where: { tag == nil || $0.tag == tag }) else { return message }
        guard queued[index].values.count == buffer.count else {
            throw DistributedError("receive: the message from rank 0 under tag \(message.tag) holds \(message.count) floats, the buffer \(buffer.count)")
        }
        _ = buffer.update(from: queued.remove(at: index).values)
        return message
    }

    public func probe(from source: Int?, tag: Int?, wait: Bool) throws -> Message? {
        if !wait {
            try checkPeer(source, tag: tag, "probe")
            return queued.first { tag == nil || $0.tag == tag }.map { Message(source: 0, tag: $0.tag, count: $0.values.count) }
        }
        return try waiting(from: source, tag: tag, call: "probe")
    }

    /// The oldest queued message matching `tag`, or an error: no other rank could ever send one.
    private func waiting(from source: Int?, tag: Int?, call: String) throws -> Message {
        try checkPeer(source, tag: tag, call)
        guard let first = queued.first(where: { tag == nil || $0.tag == tag }) else {
            throw DistributedError("\(call): no message\(tag.map { " under tag \($0)" } ?? "") is waiting, and in a 1-process job none can come (it would wait for ever)")
        }
        return Message(source: 0, tag: first.tag, count: first.values.count)
    }

    public func abort(_ message: String) -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        exit(1)
    }
}
