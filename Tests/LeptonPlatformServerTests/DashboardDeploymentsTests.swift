import Foundation
import LeptonPlatform
import LeptonPlatformServer
import Testing

/// The dashboard's deployments pages over real `lepton serve` replicas: the list and create form
/// (the token shown once), a deployment's live status, the scale, canary and delete forms, roles,
/// form tokens and escaping.
@Suite("Dashboard deployments", .serialized)
struct DashboardDeploymentsTests {
    @Test func createShowsTheTokenOnceThenScaleAndDeleteFromTheForms() async throws {
        let fixture = try await DeploymentFixture.start("ui-deploy")
        let server = fixture.server, workspace = fixture.workspace
        let client = DashboardClient(port: server.port)
        let (cookie, csrf) = try await client.signIn(server.admin.token)
        let viewerKey = try await server.platform.keys.create(workspaceID: workspace, role: .viewer, name: "viewer")
        let (viewer, viewerCSRF) = try await client.signIn(viewerKey.token)
        let form = ["name": "web", "model": "\(DeploymentFixture.model):1", "min_replicas": "1", "max_replicas": "1"]

        // Viewers read but may not create; a form without the session token is refused.
        let empty = try await client.send("GET", "/ui/deployments", cookie: viewer)
        #expect(empty.status == 200 && empty.body.contains("No deployments yet") && !empty.body.contains("create-deployment"))
        #expect(try await client.send("POST", "/ui/deployments", cookie: viewer, form: form.merging(["csrf": viewerCSRF]) { $1 }).status == 403)
        #expect(try await client.send("POST", "/ui/deployments", cookie: cookie, form: form).status == 403)
        #expect(try await server.platform.deployments.list(workspaceID: workspace).isEmpty)

        let created = try await client.send("POST", "/ui/deployments", cookie: cookie, form: form.merging(["csrf": csrf]) { $1 })
        #expect(created.status == 201, "\(created.status) \(created.body)")
        let token = try #require(Self.token(in: created.body), "no token on the answer")
        #expect(try await fixture.infer("web", token: token).status == 200)
        try await fixture.wait("web", "ready") { ($0["ready_replicas"] as? Int) == 1 }

        let page = try await client.send("GET", "/ui/deployments/web", cookie: viewer)
        #expect(page.status == 200 && !page.body.contains(token) && page.body.contains("data-live=\"/ui/deployments/web/live\""))
        #expect(page.body.contains("<svg") && !page.body.contains("scale-deployment"), "viewers see no forms")
        let live = try await client.send("GET", "/ui/deployments/web/live", cookie: viewer)
        #expect(live.status == 200 && live.body.contains("1 / 1") && live.body.contains(">ready<"), "\(live.body)")
        let list = try await client.send("GET", "/ui/deployments", cookie: viewer)
        #expect(list.body.contains("/deployments/web") && list.body.contains("tiny:1") && !list.body.contains(token))

        // The scale form: refused for viewers and without the token, applied for editors.
        let scale = ["min_replicas": "1", "max_replicas": "2"]
        #expect(try await client.send("POST", "/ui/deployments/web/scale", cookie: viewer, form: scale.merging(["csrf": viewerCSRF]) { $1 }).status == 403)
        #expect(try await client.send("POST", "/ui/deployments/web/scale", cookie: cookie, form: scale).status == 403)
        let scaled = try await client.send("POST", "/ui/deployments/web/scale", cookie: cookie, form: scale.merging(["csrf": csrf]) { $1 })
        #expect(scaled.status == 303 && scaled.headers["location"] == "/ui/deployments/web")
        #expect(try await server.platform.deployments.get("web", workspaceID: workspace).maxReplicas == 2)

        // Canary errors show on the page; a canary is started, promoted.
        let noCanary = try await client.send("POST", "/ui/deployments/web/promote", cookie: cookie, form: ["csrf": csrf])
        #expect(noCanary.status == 409 && noCanary.body.contains("no canary"), "\(noCanary.status)")
        let canary = try await client.send("POST", "/ui/deployments/web/canary", cookie: cookie,
                                           form: ["model": "\(DeploymentFixture.model):2", "percent": "20", "csrf": csrf])
        #expect(canary.status == 303)
        #expect(try await server.platform.deployments.get("web", workspaceID: workspace).canary?.percent == 20)
        #expect(try await client.send("GET", "/ui/deployments/web", cookie: cookie).body.contains("promote-deployment"))
        #expect(try await client.send("POST", "/ui/deployments/web/rollback", cookie: cookie, form: ["csrf": csrf]).status == 303)
        #expect(try await server.platform.deployments.get("web", workspaceID: workspace).canary == nil)

        let deleted = try await client.send("POST", "/ui/deployments/web/delete", cookie: cookie, form: ["csrf": csrf])
        #expect(deleted.status == 303 && deleted.headers["location"] == "/ui/deployments")
        #expect(try await server.platform.deployments.list(workspaceID: workspace).isEmpty)
        #expect(try await client.send("GET", "/ui/deployments/web", cookie: cookie).status == 404)
        await server.stop()
    }

    @Test func refusedFormsShowTheirErrorsEscaped() async throws {
        let fixture = try await DeploymentFixture.start("ui-deploy-escape")
        let server = fixture.server
        let client = DashboardClient(port: server.port)
        let (cookie, csrf) = try await client.signIn(server.admin.token)
        let hostile = "<img src=x onerror=alert(1)>"
        for form in [["name": hostile, "model": "tiny:1"], ["name": "ok", "model": hostile], ["name": "ok", "model": "tiny:1", "min_replicas": hostile]] {
            let reply = try await client.send("POST", "/ui/deployments", cookie: cookie, form: form.merging(["csrf": csrf]) { $1 })
            #expect(reply.status == 400 && reply.body.contains("class=\"error\""), "\(form): \(reply.status)")
            #expect(!reply.body.contains("<img src=x") && reply.body.contains("&lt;img src=x"), "\(form) is not escaped")
        }
        #expect(try await server.platform.deployments.list(workspaceID: fixture.workspace).isEmpty)
        // A deployment with no replicas (min 0) renders; a hostile rolling update is refused on its page.
        _ = try await server.platform.deployments.create(DeploymentSettings(name: "idle", model: "tiny:1", minReplicas: 0), workspaceID: fixture.workspace)
        let page = try await client.send("GET", "/ui/deployments/idle", cookie: cookie)
        #expect(page.status == 200 && page.body.contains("No replicas running"))
        let update = try await client.send("POST", "/ui/deployments/idle/update", cookie: cookie, form: ["model": hostile, "csrf": csrf])
        #expect(update.status == 400 && !update.body.contains("<img src=x") && update.body.contains("class=\"error\""), "\(update.status)")
        #expect(try await client.send("POST", "/ui/deployments/nothing/scale", cookie: cookie, form: ["max_replicas": "2", "csrf": csrf]).status == 404)
        await server.stop()
    }

    /// The token on the create form's answer.
    static func token(in body: String) -> String? {
        guard let range = body.range(of: "id=\"deployment-token\">") else { return nil }
        let token = String(body[range.upperBound...].prefix { $0 != "<" })
        return token.isEmpty ? nil : token
    }
}
