import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
import LeptonServe
import LeptonTestSupport

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
        let connection = try LoopbackConnection(port: port)
        connection.write(bytes)
        connection.finishSending()
        return String(decoding: connection.readToEnd(), as: UTF8.self)
    }
}
