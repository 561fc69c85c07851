import Foundation
import HTTPTypes
import Hummingbird
import LeptonPlatform
import NIOCore
import NIOHTTP1

/// The data plane: `/deployments/<name>/v2/…` proxied unchanged (method, body, headers such as
/// `Inference-Header-Content-Length`, status) to the replica with the fewest outstanding requests,
/// over pooled connections. Requests carry the deployment's token (`Authorization: Bearer lepd_…`,
/// not a platform key) unless the deployment is public. A request whose replica cannot be reached
/// or dies before answering is retried once on another replica; with no replica ready (scaled to
/// zero, or all being replaced) requests are held until one is, rather than refused.
struct DeploymentRouter: Sendable {
    let supervisor: DeploymentSupervisor
    let metrics: PlatformMetrics

    /// The path prefix this router answers.
    static let prefix = "/deployments/"
    /// Largest request body: 64 MiB (`lepton serve`'s default).
    static let maxBodyBytes = 64 << 20
    /// Largest response body: 1 GiB.
    static let maxResponseBytes = 1 << 30
    /// Longest wait for a replica's answer, in seconds.
    static let answerTimeoutSeconds: Int64 = 300
    /// Longest wait for a replica (a cold start), in seconds.
    static let holdTimeout = 120.0
    /// Headers not passed on (hop-by-hop, or recomputed).
    static let droppedHeaders: Set<String> = ["connection", "keep-alive", "transfer-encoding", "content-length", "host", "authorization",
                                              "proxy-authorization", "te", "trailer", "upgrade"]

    /// Answers one data-plane request; never throws (errors are JSON answers like `lepton serve`'s).
    /// The replica is asked over a connection on `eventLoop`, the loop of the caller's connection,
    /// so the request and its answer stay on one thread.
    func respond(to request: Request, on eventLoop: any EventLoop) async -> Response {
        let started = DeploymentSupervisor.now()
        let response = await forward(request, on: eventLoop)
        recordInference(path: request.uri.path, status: Int(response.status.code), started: started)
        return response
    }

    /// Counts an answered request in the platform's metrics.
    func recordInference(path: String, status: Int, started: Double) {
        let name = String(path.dropFirst(Self.prefix.count).prefix { $0 != "/" })
        // Only known deployments get a label of their own, so random paths cannot grow the metrics.
        let label = supervisor.pools[name] == nil ? "unknown" : name
        metrics.recordInference(deployment: label, status: status, seconds: DeploymentSupervisor.now() - started)
    }

    /// Whether the request's `Authorization` header carries the deployment's token (or it is public).
    static func isAuthorized(_ authorization: String?, for deployment: Deployment) -> Bool {
        guard !deployment.isPublic else { return true }
        guard let authorization else { return false }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        return parts.count == 2 && parts[0].lowercased() == "bearer"
            && DeploymentToken.matches(parts[1].trimmingCharacters(in: .whitespaces), hash: deployment.tokenHash)
    }

    /// The request to send a replica: `method`, the path below the deployment with the query, the
    /// caller's headers but hop-by-hop ones and the token, and the body.
    static func outgoing(method: HTTPRequest.Method, downstream: String, headers fields: HTTPFields, body: ByteBuffer) -> ReplicaClient.Request {
        var headers = HTTPHeaders()
        for field in fields where !droppedHeaders.contains(field.name.canonicalName) {
            headers.add(name: field.name.rawName, value: field.value)
        }
        return ReplicaClient.Request(head: HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method.rawValue), uri: downstream, headers: headers),
                                     body: body)
    }

    /// The replica's answer as the caller gets it: status, headers but hop-by-hop ones, body.
    static func response(of answer: ReplicaClient.Answer) -> (HTTPResponse, ByteBuffer) {
        var fields = HTTPFields()
        for (field, value) in answer.head.headers where !droppedHeaders.contains(field.lowercased()) {
            if let fieldName = HTTPField.Name(field) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        return (HTTPResponse(status: HTTPResponse.Status(code: Int(answer.head.status.code)), headerFields: fields), answer.body)
    }

    private func forward(_ request: Request, on eventLoop: any EventLoop) async -> Response {
        let path = request.uri.path
        let rest = path.dropFirst(Self.prefix.count)
        let name = String(rest.prefix { $0 != "/" })
        let downstream = String(rest.dropFirst(name.count))
        guard downstream.hasPrefix("/v2") else {
            return Self.error(.notFound, "no route \(path); deployments answer the KServe V2 protocol under /deployments/<name>/v2/…")
        }
        // The pool table is read without a hop onto the supervisor; only an unknown name (a deployment
        // created a moment ago) waits for a reconciliation.
        var known = supervisor.pools[name]
        if known == nil, !name.isEmpty { known = await supervisor.pool(named: name) }
        guard let pool = known else {
            return Self.error(.notFound, "no deployment \(name); list them with GET /api/v1/deployments")
        }
        guard Self.isAuthorized(request.headers[.authorization], for: pool.deployment) else {
            return request.headers[.authorization] == nil
                ? Self.error(.unauthorized, "missing Authorization: Bearer <deployment token>; deployment \(name) is not public")
                : Self.error(.unauthorized, "invalid token for deployment \(name); expected the lepd_… token shown when it was created")
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: Self.maxBodyBytes) } catch {
            return Self.error(.contentTooLarge, "the request body is larger than \(Self.maxBodyBytes) bytes")
        }
        let query = request.uri.query.map { "?\($0)" } ?? ""
        let outgoing = Self.outgoing(method: request.method, downstream: downstream + query, headers: request.headers, body: body)
        let started = DeploymentSupervisor.now()
        var tried: Set<String> = []
        var lastError = ""
        for _ in 0..<2 {
            guard let replica = await acquire(pool, excluding: tried) else {
                pool.recordRequest(seconds: DeploymentSupervisor.now() - started, failed: true)
                return Self.error(.serviceUnavailable, "deployment \(name) has no ready replica after \(Int(Self.holdTimeout)) s\(lastError.isEmpty ? "" : "; \(lastError)")")
            }
            tried.insert(replica.id)
            do {
                // The whole answer is gathered on the caller's loop and handed over once.
                let answer = try await supervisor.client.execute(outgoing, port: replica.port ?? 0, on: eventLoop,
                                                                 deadline: .now() + .seconds(Self.answerTimeoutSeconds)).get()
                pool.release(replica)
                pool.recordRequest(seconds: DeploymentSupervisor.now() - started, failed: answer.head.status.code >= 500)
                let (head, body) = Self.response(of: answer)
                return Response(status: head.status, headers: head.headerFields, body: .init(byteBuffer: body))
            } catch {
                pool.release(replica)
                lastError = "replica \(replica.id): \(error)"
                supervisor.wake()
            }
        }
        pool.recordRequest(seconds: DeploymentSupervisor.now() - started, failed: true)
        return Self.error(.badGateway, "deployment \(name): the request failed on two replicas; last: \(lastError)")
    }

    /// A ready replica, waiting (and waking the supervisor) while there is none.
    private func acquire(_ pool: ReplicaPool, excluding tried: Set<String>) async -> Replica? {
        if let replica = pool.pick(excluding: tried, now: DeploymentSupervisor.now()) { return replica }
        let start = DeploymentSupervisor.now(), deadline = start + Self.holdTimeout
        pool.holding(1, now: DeploymentSupervisor.now())
        defer { pool.holding(-1, now: DeploymentSupervisor.now()) }
        supervisor.wake()
        while DeploymentSupervisor.now() < deadline {
            try? await Task.sleep(for: .milliseconds(5))
            // A replica that failed once is avoided for a moment (it may be dying), then allowed again.
            let now = DeploymentSupervisor.now()
            if let replica = pool.pick(excluding: now - start < 2 ? tried : [], now: now) { return replica }
        }
        return nil
    }

    /// A JSON error answer.
    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let body = (try? JSONSerialization.data(withJSONObject: ["error": message])) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// The platform's responder: `/deployments/…` goes to the deployment router (its own token check,
/// no audit row per inference), everything else to the API router with its middleware.
struct PlatformResponder<API: HTTPResponder>: HTTPResponder where API.Context == PlatformRequestContext {
    let api: API
    let deployments: DeploymentRouter

    func respond(to request: Request, context: PlatformRequestContext) async throws -> Response {
        if request.uri.path.hasPrefix(DeploymentRouter.prefix) { return await deployments.respond(to: request, on: context.eventLoop) }
        return try await api.respond(to: request, context: context)
    }
}
