import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A browser-like client of the dashboard for tests: it sends the cookie and headers it is told
/// to, never stores cookies itself and never follows redirects (so tests see each `303`).
final class DashboardClient: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    let port: Int
    private lazy var session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        return URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
    }()

    init(port: Int) { self.port = port }

    /// One answer.
    struct Reply {
        let status: Int
        let body: String
        let headers: [String: String]
        /// The `lepton_ui` value a `Set-Cookie` gave (empty when it cleared it).
        var cookie: String? {
            guard let header = headers["set-cookie"], header.hasPrefix("lepton_ui=") else { return nil }
            return String(header.dropFirst("lepton_ui=".count).prefix { $0 != ";" })
        }
        /// The value of the first `name="csrf" value="…"` field of the page.
        var csrf: String? {
            guard let range = body.range(of: "name=\"csrf\" value=\"") else { return nil }
            return String(body[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }

    /// Sends `method path` with the dashboard cookie `cookie`, a bearer `token`, a form and an `Origin`.
    func send(_ method: String, _ path: String, cookie: String? = nil, token: String? = nil, form: [String: String]? = nil,
              origin: String? = nil) async throws -> Reply {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        if let cookie { request.setValue("other=1; lepton_ui=\(cookie)", forHTTPHeaderField: "Cookie") }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let origin { request.setValue(origin, forHTTPHeaderField: "Origin") }
        if let form {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            request.httpBody = Data(form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
                .joined(separator: "&").utf8)
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await session.data(for: request)
        let http = response as? HTTPURLResponse
        var headers: [String: String] = [:]
        for (name, value) in http?.allHeaderFields ?? [:] { headers["\(name)".lowercased()] = "\(value)" }
        return Reply(status: http?.statusCode ?? 0, body: String(decoding: data, as: UTF8.self), headers: headers)
    }

    /// Signs in with `token` and returns the session cookie and a form token of the overview page.
    func signIn(_ token: String) async throws -> (cookie: String, csrf: String) {
        let reply = try await send("POST", "/ui/login", form: ["key": token, "next": "/ui"])
        guard reply.status == 303, let cookie = reply.cookie else { throw SignInFailed(status: reply.status, body: reply.body) }
        let page = try await send("GET", "/ui", cookie: cookie)
        return (cookie, page.csrf ?? "")
    }

    struct SignInFailed: Error { let status: Int; let body: String }
}
