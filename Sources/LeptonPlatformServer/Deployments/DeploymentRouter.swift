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
        let name = request.uri.path.dropFirst(Self.prefix.count).prefix { $0 != "/" }
        // Only known deployments get a label of their own, so random paths cannot grow the metrics.
        let label = supervisor.pools[String(name)] == nil ? "unknown" : String(name)
        metrics.recordInference(deployment: label, status: Int(response.status.code), seconds: DeploymentSupervisor.now() - started)
        return response
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
        let deployment = pool.deployment
        if !deployment.isPublic {
            guard let header = request.headers[.authorization] else {
                return Self.error(.unauthorized, "missing Authorization: Bearer <deployment token>; deployment \(name) is not public")
            }
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer",
                  DeploymentToken.matches(parts[1].trimmingCharacters(in: .whitespaces), hash: deployment.tokenHash) else {
                return Self.error(.unauthorized, "invalid token for deployment \(name); expected the lepd_… token shown when it was created")
            }
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: Self.maxBodyBytes) } catch {
            return Self.error(.contentTooLarge, "the request body is larger than \(Self.maxBodyBytes) bytes")
        }
        let query = request.uri.query.map { "?\($0)" } ?? ""
        var headers = HTTPHeaders()
        for field in request.headers where !Self.droppedHeaders.contains(field.name.canonicalName) {
            headers.add(name: field.name.rawName, value: field.value)
        }
        let outgoing = ReplicaClient.Request(head: HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: request.method.rawValue),
                                                                   uri: downstream + query, headers: headers), body: body)
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
                var fields = HTTPFields()
                for (field, value) in answer.head.headers where !Self.droppedHeaders.contains(field.lowercased()) {
                    if let fieldName = HTTPField.Name(field) { fields.append(HTTPField(name: fieldName, value: value)) }
                }
                return Response(status: HTTPResponse.Status(code: Int(answer.head.status.code)), headers: fields, body: .init(byteBuffer: answer.body))
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
