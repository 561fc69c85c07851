import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LeptonPlatform
import LeptonPlatformServer
import LeptonTestSupport
import NIOCore

/// A ``PlatformServer`` over a fresh data folder, running in process on a free loopback port.
struct PlatformTestServer {
    let platform: Platform
    let admin: IssuedKey
    let port: Int
    let task: Task<Void, any Error>
    /// Its deployments' supervisor (replicas run the built `lepton`).
    let deployments: DeploymentSupervisor

    /// One answer.
    struct Reply {
        let status: Int
        let body: Data
        let headers: [String: String]
        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: body) as? [String: Any] }
        var error: String { json?["error"] as? String ?? String(decoding: body, as: UTF8.self) }
    }

    /// Initialises a data folder and starts a server on it.
    /// Jobs run `trainer` (default: a script that writes a line and succeeds) instead of `lepton train`.
    static func start(_ name: String, maxUploadBytes: Int = Platform.defaultMaxUploadBytes, trainer: [String]? = nil,
                      idleTimeout: TimeAmount = .seconds(120)) async throws -> PlatformTestServer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-platform-server-\(name)-\(UUID().uuidString)")
        let (_, admin) = try await Platform.initialize(dataFolder: folder)
        let command = try trainer ?? [Self.script("echo training; exit 0", in: folder)]
        let platform = try Platform(dataFolder: folder, maxUploadBytes: maxUploadBytes, runner: LocalProcessRunner(command: command), slots: 2)
        let server = PlatformServer(platform: platform, port: 0, replicaExecutable: LeptonExecutable.url.path, idleTimeout: idleTimeout)
        let (ports, listening) = AsyncStream.makeStream(of: Int.self)
        let task = Task { try await server.run { listening.yield($0) } }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw PlatformError(.internalError, "the test server did not start") }
        return PlatformTestServer(platform: platform, admin: admin, port: port, task: task, deployments: server.deployments)
    }

    /// A training config that passes the submit checks.
    static let config = """
    dataset: {name: mnist}
    model: {input_shape: [28, 28, 1], layers: [{type: Flatten}, {type: Dense, units: 10, activation: softmax}]}
    loss: sparse_categorical_crossentropy
    """

    /// Writes an executable shell script with `body` and returns its path.
    static func script(_ body: String, in folder: URL) throws -> String {
        let url = folder.appendingPathComponent("trainer-\(UUID().uuidString.prefix(8)).sh")
        try "#!/bin/sh\n\(body)\n".write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url.path
    }

    /// Stops the server, waits for it, and removes its data folder.
    func stop() async {
        task.cancel()
        _ = await task.result
        try? FileManager.default.removeItem(at: platform.dataFolder)
    }

    /// Sends one request (`token` as the bearer key when given).
    func send(_ method: String, _ path: String, token: String? = nil, body: Data? = nil) async throws -> Reply {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        request.httpBody = body
        if body != nil { request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type") }
        return try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error { continuation.resume(throwing: error); return }
                let http = response as? HTTPURLResponse
                var headers: [String: String] = [:]
                for (name, value) in http?.allHeaderFields ?? [:] { headers["\(name)".lowercased()] = "\(value)" }
                continuation.resume(returning: Reply(status: http?.statusCode ?? 0, body: data ?? Data(), headers: headers))
            }.resume()
        }
    }

    /// Sends a JSON text body.
    func send(_ method: String, _ path: String, token: String?, json: String) async throws -> Reply {
        try await send(method, path, token: token, body: Data(json.utf8))
    }
}
