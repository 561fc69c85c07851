import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The command line's client of a running platform (`lepton login`, `key`, `dataset`, `job`,
/// `model`): the URL and key come from `LEPTON_URL` / `LEPTON_TOKEN` when set, else from the
/// credentials file `lepton login` writes (mode 0600).
struct PlatformClient {
    let url: URL
    let token: String

    /// `$LEPTON_CONFIG_DIR/credentials.json`, default `~/.config/lepton/credentials.json`.
    static var credentialsFile: URL {
        let environment = ProcessInfo.processInfo.environment
        let folder = environment["LEPTON_CONFIG_DIR"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".config/lepton")
        return folder.appendingPathComponent("credentials.json")
    }

    struct Credentials: Codable {
        let url: String
        let token: String
    }

    /// Writes the credentials file (0600 from its creation on, in a 0700 folder).
    static func save(url: String, token: String) throws -> URL {
        let file = credentialsFile
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let data = try JSONEncoder().encode(Credentials(url: url, token: token))
        try? FileManager.default.removeItem(at: file)
        guard FileManager.default.createFile(atPath: file.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write \(file.path)")
        }
        return file
    }

    /// The client the environment or the credentials file describes.
    static func load() throws -> PlatformClient {
        let environment = ProcessInfo.processInfo.environment
        var url = environment["LEPTON_URL"], token = environment["LEPTON_TOKEN"]
        if url == nil || token == nil, let data = FileManager.default.contents(atPath: credentialsFile.path),
           let saved = try? JSONDecoder().decode(Credentials.self, from: data) {
            url = url ?? saved.url
            token = token ?? saved.token
        }
        guard let url, let token, let parsed = URL(string: url), parsed.scheme == "http" || parsed.scheme == "https" else {
            throw ValidationError("no platform to talk to: run `lepton login --url http://HOST:PORT --token KEY` or set LEPTON_URL and LEPTON_TOKEN")
        }
        return PlatformClient(url: parsed, token: token)
    }

    /// An error answer of the platform, as one line.
    struct Failure: Error, CustomStringConvertible {
        let status: Int
        let message: String
        var description: String { "the platform answered \(status): \(message)" }
    }

    /// Sends a request and returns the body of a 2xx answer.
    /// - Throws: ``Failure`` with the platform's `error` message for any other status.
    func send(_ method: String, _ path: String, json: [String: Any]? = nil, body: Data? = nil) async throws -> Data {
        var request = makeRequest(method, path)
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let body {
            request.httpBody = body
        }
        let (data, response) = try await Self.complete { URLSession.shared.dataTask(with: request, completionHandler: $0) }
        try check(response, data)
        return data
    }

    /// Sends a request and decodes the JSON object it answers.
    func object(_ method: String, _ path: String, json: [String: Any]? = nil, body: Data? = nil) async throws -> [String: Any] {
        let data = try await send(method, path, json: json, body: body)
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    /// Uploads a file as the request body (read from disk as it is sent).
    func upload(_ path: String, file: URL) async throws -> [String: Any] {
        var request = makeRequest("POST", path)
        request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
        let (data, response) = try await Self.complete { URLSession.shared.uploadTask(with: request, fromFile: file, completionHandler: $0) }
        try check(response, data)
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    /// Downloads `path` into `destination` (written to a temporary file, moved in when complete).
    /// - Returns: the `X-Content-SHA256` header.
    func download(_ path: String, to destination: URL) async throws -> String? {
        let request = makeRequest("GET", path)
        let (data, response) = try await Self.complete { handler in
            URLSession.shared.downloadTask(with: request) { temporary, response, error in
                // The temporary file is removed when this handler returns: move it (or read an error body) now.
                var body = Data()
                if let temporary, let http = response as? HTTPURLResponse {
                    if (200..<300).contains(http.statusCode) {
                        try? FileManager.default.removeItem(at: destination)
                        do { try FileManager.default.moveItem(at: temporary, to: destination) } catch { handler(nil, response, error); return }
                    } else {
                        body = (try? Data(contentsOf: temporary)) ?? Data()
                    }
                }
                handler(body, response, error)
            }
        }
        try check(response, data)
        return (response as? HTTPURLResponse)?.value(forHTTPHeaderField: "X-Content-SHA256")
    }

    /// Runs a completion-handler task and awaits its data and response.
    static func complete(_ make: (@escaping @Sendable (Data?, URLResponse?, (any Error)?) -> Void) -> URLSessionTask) async throws -> (Data, URLResponse) {
        try await withCheckedThrowingContinuation { continuation in
            make { data, response, error in
                if let error { continuation.resume(throwing: error); return }
                guard let response else { continuation.resume(throwing: Failure(status: 0, message: "no response")); return }
                continuation.resume(returning: (data ?? Data(), response))
            }.resume()
        }
    }

    private func makeRequest(_ method: String, _ path: String) -> URLRequest {
        var request = URLRequest(url: URL(string: path, relativeTo: url)!)
        request.httpMethod = method
        request.timeoutInterval = 3600
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        return request
    }

    private func check(_ response: URLResponse, _ data: Data) throws {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            let message = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["error"] as? String
            throw Failure(status: status, message: message ?? String(decoding: data.prefix(500), as: UTF8.self))
        }
    }
}
