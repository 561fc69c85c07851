import LeptonDistributed
import Testing

/// The parameter server's options, and the point-to-point messages it needs, in one process.
@Suite struct ParameterServerTests {
    func message(_ body: () throws -> Void) -> String {
        do { try body() } catch { return "\(error)" }
        return "no error"
    }

    @Test func badOptionsAreOneClearLine() {
        let local = LocalCommunicator()
        #expect(message { _ = try ParameterServer(communicator: local, mode: .async, staleness: -1) }
                == "parameter server: staleness must be at least 0 steps, got -1")
        #expect(message { _ = try ParameterServer(communicator: local, mode: .sync, staleness: 2) }
                == "parameter server: a staleness of 2 needs the async mode (sync steps together: staleness 0)")
        #expect(message { _ = try ParameterServer(communicator: local) }.hasPrefix(
            "parameter server: expected at least 2 ranks (rank 0 serves and trains, the others train), got 1"))
    }

    @Test func localMessagesGoFromRankZeroToItself() throws {
        let local = LocalCommunicator()
        #expect(try local.probe(from: nil, tag: nil, wait: false) == nil)
        try local.send([1, 2, 3], to: 0, tag: 7)
        try local.send([4], to: 0, tag: 8)
        #expect(try local.probe(from: 0, tag: 8, wait: false) == Message(source: 0, tag: 8, count: 1))
        var one: [Float] = [0]
        let got = try one.withUnsafeMutableBufferPointer { try local.receive($0, from: nil, tag: 8) }
        #expect(one == [4] && got == Message(source: 0, tag: 8, count: 1))
        var three: [Float] = [0, 0, 0]
        try three.withUnsafeMutableBufferPointer { _ = try local.receive($0, from: 0, tag: nil) }
        #expect(three == [1, 2, 3])
    }

    @Test func badPeersAndMessagesThatCannotComeAreRefused() throws {
        let local = LocalCommunicator()
        #expect(message { try local.send([1], to: 1, tag: 0) } == "send: rank 1 is not a rank of this 1-process job (expected 0..<1)")
        #expect(message { try local.send([1], to: 0, tag: -2) } == "send: tag -2 is outside 0...32767")
        var buffer: [Float] = [0, 0]
        #expect(message { try buffer.withUnsafeMutableBufferPointer { _ = try local.receive($0, from: 0, tag: 3) } }
                == "receive: no message under tag 3 is waiting, and in a 1-process job none can come (it would wait for ever)")
        try local.send([1], to: 0, tag: 3)
        #expect(message { try buffer.withUnsafeMutableBufferPointer { _ = try local.receive($0, from: 0, tag: 3) } }
                == "receive: the message from rank 0 under tag 3 holds 1 floats, the buffer 2")
        #expect(message { _ = try local.probe(from: -1, tag: nil, wait: true) }.hasPrefix("probe: rank -1 is not a rank"))
    }
}
