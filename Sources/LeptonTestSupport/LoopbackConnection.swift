import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A raw TCP connection to a server on 127.0.0.1, for tests that send part of a request and then
/// hang up (or kill the server) mid-body.
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
    }

    deinit { close() }

    /// Sends `bytes` (as much as the socket takes).
    public func write(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Closes the connection (again: nothing).
    public func close() {
        if socket >= 0 { Glibc.close(socket) }
        socket = -1
    }
}
