import Foundation
import LeptonIO
import LeptonNN
import LeptonPlatform
import LeptonPlatformServer
import Testing

/// Every route × every kind of caller → the expected status, and every mutating or denied call
/// leaves exactly one audit row naming the key, the request id and the result.
@Suite("Authorization matrix", .serialized)
struct AuthorizationMatrixTests {
    enum Caller: String, CaseIterable {
        case none, wrong, expired, revoked, viewer, editor, admin, otherWorkspace
    }

    /// Every route the server has; a new route fails this test until the matrix knows it.
    static let expectedRoutes: Set<String> = [
        "GET /metrics", "GET /openapi.json", "GET /api/v1/keys", "POST /api/v1/keys", "DELETE /api/v1/keys/:id", "GET /api/v1/audit",
        "GET /api/v1/datasets", "POST /api/v1/datasets", "GET /api/v1/datasets/:id", "DELETE /api/v1/datasets/:id",
        "POST /api/v1/datasets/:id/versions", "GET /api/v1/datasets/:id/versions/:version",
        "GET /api/v1/jobs", "POST /api/v1/jobs", "GET /api/v1/jobs/:id", "POST /api/v1/jobs/:id/cancel", "GET /api/v1/jobs/:id/logs",
        "GET /api/v1/jobs/:id/metrics",
        "GET /api/v1/models", "GET /api/v1/models/:id", "PUT /api/v1/models/:id/aliases/:alias", "PUT /api/v1/models/:id/card",
        "GET /api/v1/models/:id/versions/:version/files/:file", "GET /api/v1/models/:id/versions/:version/onnx",
        "POST /api/v1/models/:id/versions",
        "GET /api/v1/market", "POST /api/v1/market", "GET /api/v1/market/:id", "POST /api/v1/market/:id/pull",
        // The dashboard's routes (their matrix, with cookies and form tokens, is in DashboardRoutesTests).
        "POST /ui/login", "POST /ui/logout", "GET /ui", "GET /ui/jobs", "POST /ui/jobs", "GET /ui/jobs/:id", "GET /ui/jobs/:id/live",
        "POST /ui/jobs/:id/cancel", "GET /ui/datasets", "GET /ui/datasets/:id", "GET /ui/models", "GET /ui/models/:id", "GET /ui/market",
        "GET /ui/deployments", "POST /ui/deployments", "GET /ui/deployments/:name", "GET /ui/deployments/:name/live",
        "POST /ui/deployments/:name/scale", "POST /ui/deployments/:name/update", "POST /ui/deployments/:name/canary",
        "POST /ui/deployments/:name/promote", "POST /ui/deployments/:name/rollback", "POST /ui/deployments/:name/delete", "GET /ui/audit",
        "GET /api/v1/deployments", "POST /api/v1/deployments", "GET /api/v1/deployments/:name", "DELETE /api/v1/deployments/:name",
        "GET /api/v1/deployments/:name/events", "GET /api/v1/deployments/:name/metrics", "POST /api/v1/deployments/:name/scale",
        "POST /api/v1/deployments/:name/update", "POST /api/v1/deployments/:name/canary", "POST /api/v1/deployments/:name/promote",
        "POST /api/v1/deployments/:name/rollback",
    ]

    struct Keys {
        let tokens: [Caller: String]
        let ids: [Caller: String]
    }

    static func makeKeys(_ server: PlatformTestServer) async throws -> Keys {
        let keys = server.platform.keys, workspace = server.admin.key.workspaceID
        let viewer = try await keys.create(workspaceID: workspace, role: .viewer, name: "viewer")
        let editor = try await keys.create(workspaceID: workspace, role: .editor, name: "editor")
        let expired = try await keys.create(workspaceID: workspace, role: .admin, name: "expired", expiresIn: 60, now: Date().addingTimeInterval(-120))
        let revoked = try await keys.create(workspaceID: workspace, role: .admin, name: "revoked")
        _ = try await keys.revoke(id: revoked.key.id, workspaceID: workspace)
        let other = try await server.platform.createWorkspace(name: "other", source: "test")
        let adminID = server.admin.key.id
        let wrong = "lep_\(adminID)_\(String(repeating: "0", count: 64))"
        return Keys(tokens: [.wrong: wrong, .expired: expired.token, .revoked: revoked.token, .viewer: viewer.token,
                             .editor: editor.token, .admin: server.admin.token, .otherWorkspace: other.token],
                    ids: [.viewer: viewer.key.id, .editor: editor.key.id, .admin: adminID, .otherWorkspace: other.key.id])
    }

    /// The concrete path and body of a route, with fresh resources of the first workspace so
    /// that a successful DELETE in one cell does not change the next.
    static func request(for route: PlatformRoute, server: PlatformTestServer) async throws -> (path: String, body: Data?) {
        let workspace = server.admin.key.workspaceID
        var path = route.path
        if path.hasPrefix("/api/v1/keys/") {
            path = path.replacingOccurrences(of: ":id", with: try await server.platform.keys.create(workspaceID: workspace, role: .viewer, name: "target").key.id)
        } else if path.hasPrefix("/api/v1/datasets/") {
            let dataset = try await server.platform.datasets.create(name: "d-\(UUID().uuidString.prefix(8))", workspaceID: workspace)
            let upload = try await server.platform.datasets.beginUpload(id: dataset.id, workspaceID: workspace)
            try Array("a,b\n1,2\n".utf8).withUnsafeBytes { try upload.append($0) }
            _ = try await upload.commit()
            path = path.replacingOccurrences(of: ":id", with: dataset.id).replacingOccurrences(of: ":version", with: "1")
        } else if path.hasPrefix("/api/v1/jobs/") {
            let who = Principal(keyID: server.admin.key.id, workspaceID: workspace, role: .admin)
            let job = try await server.platform.jobs.submit(JobSubmission(config: PlatformTestServer.config, inputs: []), principal: who)
            path = path.replacingOccurrences(of: ":id", with: job.id)
        } else if path.hasPrefix("/api/v1/market/") {
            let (model, _) = try await server.platform.models.register(modelFolder: try modelFolder(), name: "l-\(UUID().uuidString.prefix(8))",
                                                                       workspaceID: workspace, lineage: ModelLineage(jobID: nil, inputs: [], configSHA256: nil))
            let listing = try await server.platform.market.publish(MarketPublication(model: model.id, version: "1", task: "test", licence: "MIT"),
                                                                   workspaceID: workspace)
            path = path.replacingOccurrences(of: ":id", with: listing.id)
        } else if path.hasPrefix("/api/v1/models/") {
            let (model, _) = try await server.platform.models.register(modelFolder: try modelFolder(), name: "m-\(UUID().uuidString.prefix(8))",
                                                                       workspaceID: workspace, lineage: ModelLineage(jobID: nil, inputs: [], configSHA256: nil))
            path = path.replacingOccurrences(of: ":id", with: model.id).replacingOccurrences(of: ":alias", with: "champion")
                .replacingOccurrences(of: ":version", with: "1").replacingOccurrences(of: ":file", with: "model.json")
        }
        var deployedModel = ""
        if path.hasPrefix("/api/v1/deployments/") {
            // Versions 1 and 2 of a model, deployed with no replica (min 0) and a canary, so every call succeeds without a process.
            deployedModel = "dm-\(UUID().uuidString.prefix(8))"
            for _ in 1...2 {
                _ = try await server.platform.models.register(modelFolder: try modelFolder(), name: deployedModel, workspaceID: workspace,
                                                              lineage: ModelLineage(jobID: nil, inputs: [], configSHA256: nil))
            }
            let name = "d-\(UUID().uuidString.prefix(8).lowercased())"
            _ = try await server.platform.deployments.create(DeploymentSettings(name: name, model: "\(deployedModel):1", minReplicas: 0), workspaceID: workspace)
            _ = try await server.platform.deployments.canary(name, model: "\(deployedModel):2", percent: 10, workspaceID: workspace)
            path = path.replacingOccurrences(of: ":name", with: name)
        }
        switch "\(route.method) \(route.path)" {
        case "POST /api/v1/deployments":
            let model = "dm-\(UUID().uuidString.prefix(8))"
            _ = try await server.platform.models.register(modelFolder: try modelFolder(), name: model, workspaceID: workspace,
                                                          lineage: ModelLineage(jobID: nil, inputs: [], configSHA256: nil))
            return (path, Data("{\"name\": \"d-\(UUID().uuidString.prefix(8).lowercased())\", \"model\": \"\(model)\", \"min_replicas\": 0}".utf8))
        case "POST /api/v1/deployments/:name/scale": return (path, Data(#"{"min_replicas": 0, "max_replicas": 2}"#.utf8))
        case "POST /api/v1/deployments/:name/update": return (path, Data("{\"model\": \"\(deployedModel):1\"}".utf8))
        case "POST /api/v1/deployments/:name/canary": return (path, Data("{\"model\": \"\(deployedModel):2\", \"percent\": 20}".utf8))
        case "POST /api/v1/keys": return (path, Data(#"{"role": "viewer", "name": "matrix"}"#.utf8))
        case "POST /api/v1/datasets": return (path, Data("{\"name\": \"m-\(UUID().uuidString.prefix(8))\"}".utf8))
        case "POST /api/v1/datasets/:id/versions": return (path, Data("x,y\n3,4\n".utf8))
        case "PUT /api/v1/models/:id/aliases/:alias": return (path, Data(#"{"version": 1}"#.utf8))
        case "PUT /api/v1/models/:id/card": return (path, Data("# A model\n".utf8))
        case "POST /api/v1/models/:id/versions":
            let folder = try modelFolder(), archive = folder.appendingPathComponent("model.tar")
            try TarWriter.write(["model.json", "model.safetensors"].map { ($0, folder.appendingPathComponent($0)) }, to: archive)
            return (path, try Data(contentsOf: archive))
        case "POST /api/v1/market/:id/pull": return (path, Data("{}".utf8))
        case "POST /api/v1/market":
            let (model, _) = try await server.platform.models.register(modelFolder: try modelFolder(), name: "p-\(UUID().uuidString.prefix(8))",
                                                                       workspaceID: workspace, lineage: ModelLineage(jobID: nil, inputs: [], configSHA256: nil))
            return (path, Data("{\"model\": \"\(model.id)\", \"version\": \"1\", \"task\": \"test\", \"licence\": \"MIT\"}".utf8))
        case "POST /api/v1/jobs":
            let body = try JSONSerialization.data(withJSONObject: ["config": PlatformTestServer.config, "inputs": [] as [Any]])
            return (path, body)
        default: return (path, nil)
        }
    }

    /// A small Lepton model folder (one Dense layer over 3 features; it also exports to ONNX).
    static func modelFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-matrix-model-\(UUID().uuidString)")
        let model = Sequential([Dense(units: 2)])
        model.build(inputShape: [3])
        try LeptonIO.ModelFile.save(model, to: folder, inputShape: [3])
        return folder
    }

    static func expectedStatus(_ route: PlatformRoute, _ caller: Caller) -> Int {
        // Creating answers 201; actions on a resource (cancel a job, scale or roll a deployment) 200.
        let success = route.method == .post && !route.path.hasSuffix("/cancel") && !route.path.hasPrefix("/api/v1/deployments/") ? 201 : 200
        switch caller {
        case .none, .wrong, .expired, .revoked: return 401
        case .viewer: return Role.viewer.includes(route.role) ? success : 403
        case .editor: return Role.editor.includes(route.role) ? success : 403
        case .admin: return success
        case .otherWorkspace:
            // Listings are public: another workspace sees and pulls them. Publishing (or deploying)
            // names a model of the first workspace, which the other one does not have.
            if ["/api/v1/market", "/api/v1/deployments"].contains(route.path) && route.method == .post { return 404 }
            return route.path.contains(":") && !route.path.hasPrefix("/api/v1/market/") ? 404 : success
        }
    }

    @Test("every route × {no key, wrong, expired, revoked, viewer, editor, admin, other workspace}")
    func matrix() async throws {
        let server = try await PlatformTestServer.start("matrix")
        let routes = PlatformServer(platform: server.platform).buildRouter().1
        #expect(Set(routes.map { "\($0.method) \($0.path)" }) == Self.expectedRoutes)
        let keys = try await Self.makeKeys(server)
        var lastAudit = try await server.platform.audit.records(workspaceID: nil, limit: 1000).last?.sequence ?? 0
        for route in routes where !route.path.hasPrefix("/ui") {
            for caller in Caller.allCases {
                let (path, body) = try await Self.request(for: route, server: server)
                let reply = try await server.send(route.method.rawValue, path, token: keys.tokens[caller], body: body)
                let expected = Self.expectedStatus(route, caller)
                let cell = "\(route.method) \(route.path) as \(caller)"
                #expect(reply.status == expected, "\(cell): \(reply.status) \(reply.error)")
                if reply.status >= 400 { #expect(reply.json?["error"] is String, "\(cell): no JSON error") }
                let requestID = try #require(reply.headers["x-request-id"], "\(cell): no X-Request-Id")
                let rows = try await server.platform.audit.records(workspaceID: nil, after: lastAudit, limit: 1000)
                lastAudit = rows.last?.sequence ?? lastAudit
                let audited = ["POST", "PUT", "PATCH", "DELETE"].contains(route.method.rawValue) || [401, 403].contains(reply.status)
                #expect(rows.count == (audited ? 1 : 0), "\(cell): \(rows.count) audit rows")
                if let row = rows.first?.entry {
                    #expect(row.result == String(reply.status) && row.requestID == requestID, "\(cell)")
                    #expect(row.keyID == keys.ids[caller], "\(cell): audited key \(row.keyID ?? "none")")
                    #expect(row.action == "\(route.method) \(route.path)" && row.resource == path, "\(cell): audited \(row.action) on \(row.resource)")
                    #expect(row.source.hasPrefix("127.0.0.1:"), "\(cell)")
                }
            }
        }
        #expect(try await server.platform.audit.verify() == lastAudit)
        await server.stop()
    }

    @Test("health is open; unknown routes need a key first; malformed headers and bodies get clear errors")
    func edges() async throws {
        let server = try await PlatformTestServer.start("edges")
        let health = try await server.send("GET", "/healthz")
        #expect(health.status == 200 && health.json?["status"] as? String == "ok")
        #expect(try await server.send("GET", "/nowhere").status == 401)
        let missing = try await server.send("GET", "/nowhere", token: server.admin.token)
        #expect(missing.status == 404 && missing.error.contains("no route"))
        let malformedKey = try await server.send("GET", "/api/v1/datasets", token: "not-a-key")
        #expect(malformedKey.status == 401 && malformedKey.error.contains("malformed API key"))
        let badJSON = try await server.send("POST", "/api/v1/keys", token: server.admin.token, json: "{\"role\": 3")
        #expect(badJSON.status == 400 && badJSON.error.contains("expected a JSON object"))
        let badRole = try await server.send("POST", "/api/v1/keys", token: server.admin.token, json: #"{"role": "owner"}"#)
        #expect(badRole.status == 400 && badRole.error.contains("viewer, editor, admin"))
        let metrics = try await server.send("GET", "/metrics", token: server.admin.token)
        #expect(String(decoding: metrics.body, as: UTF8.self).contains("lepton_platform_requests_total"))
        await server.stop()
    }
}
