import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A raw TCP connection to a server on 127.0.0.1, for tests that send part of a request and then
/// hang up (or kill the server) mid-body, or read whatever a server answers to raw bytes.
public final class LoopbackConnection {
    private var socket: Int32

    /// A connection that could not be opened.
    public struct Failed: Error, CustomStringConvertible {
        public let description: String
    }

    /// Connects to `127.0.0.1:port`.
    public init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failed(description: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(socket)
            throw Failed(description: "connect() to port \(port) failed")
        }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        _ = setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close() }

    /// Sends `bytes` (as much as the socket takes).
    public func write(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Closes the sending side: the server sees the end of the request stream.
    public func finishSending() {
        _ = shutdown(socket, Int32(SHUT_WR))
    }

    /// What has arrived (waiting for at least a byte): empty once the server closed, or after
    /// 20 s without a byte.
    public func read() -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = recv(socket, &buffer, buffer.count, 0)
        return n > 0 ? Array(buffer[0..<n]) : []
    }

    /// Everything the server sends until it closes (or 20 s pass without a byte).
    public func readToEnd() -> [UInt8] {
        var answer: [UInt8] = []
        while true {
            let more = read()
            if more.isEmpty { return answer }
            answer += more
        }
    }

    /// Closes the connection (again: nothing).
    public func close() {
        if socket >= 0 { Glibc.close(socket) }
        socket = -1
    }
}
