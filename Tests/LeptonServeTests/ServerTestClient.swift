import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
import LeptonServe

/// A ``ModelServer`` running in process on a free loopback port, and ways to talk to it:
/// URLSession for whole requests, a raw socket for requests cut off mid-body.
struct RunningServer {
    let port: Int
    let task: Task<Void, any Error>

    struct Reply {
        let status: Int
        let body: Data
        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: body) as? [String: Any] }
        var error: String { json?["error"] as? String ?? String(decoding: body, as: UTF8.self) }
    }

    /// Starts `server` (loading its repository) and waits until it listens.
    static func start(_ server: ModelServer) async throws -> RunningServer {
        let (ports, listening) = AsyncStream.makeStream(of: Int.self)
        let task = Task { try await server.run { listening.yield($0) } }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw ServeError.internalError("server did not start") }
        return RunningServer(port: port, task: task)
    }

    /// Stops the server and waits for it.
    func stop() async {
        task.cancel()
        _ = await task.result
    }

    /// Sends one request.
    func send(_ path: String, method: String = "GET", token: String? = nil, body: Data? = nil,
              headers: [String: String] = [:]) async throws -> Reply {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body
        return try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error { continuation.resume(throwing: error); return }
                continuation.resume(returning: Reply(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data ?? Data()))
            }.resume()
        }
    }

    /// Sends one request with a JSON text body.
    func send(_ path: String, method: String = "POST", token: String? = nil, json: String) async throws -> Reply {
        try await send(path, method: method, token: token, body: Data(json.utf8))
    }

    /// Writes `bytes` on a fresh connection, closes the sending side, and returns everything the
    /// server answers before it closes ("" when it just closes).
    func raw(_ bytes: [UInt8]) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServeError.internalError("socket() failed") }
        defer { Glibc.close(fd) }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ServeError.internalError("connect() failed") }
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
        _ = shutdown(fd, Int32(SHUT_WR))
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
