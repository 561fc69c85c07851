import Foundation
import LeptonPlatform
import LeptonPlatformServer
import Testing

/// The dashboard's routes in process: signing in and out, the cookie (only under `/ui`), form
/// tokens and origins, redirects to the sign-in form, escaping, roles and the audit rows.
@Suite("Dashboard routes", .serialized)
struct DashboardRoutesTests {
    @Test func signInWithAKeySetsAStrictCookieForTheDashboardOnly() async throws {
        let server = try await PlatformTestServer.start("ui-login")
        let client = DashboardClient(port: server.port)
        let form = try await client.send("GET", "/ui/login")
        #expect(form.status == 200 && form.body.contains("<form method=\"post\" action=\"/ui/login\""))
        #expect(form.headers["content-security-policy"]?.contains("default-src 'none'") == true)

        let wrong = try await client.send("POST", "/ui/login", form: ["key": "lep_0000000000000000_" + String(repeating: "0", count: 64)])
        #expect(wrong.status == 401 && wrong.body.contains("class=\"error\"") && wrong.cookie == nil, "\(wrong.body)")
        let garbage = try await client.send("POST", "/ui/login", form: ["key": "<script>alert(1)</script>"])
        #expect(garbage.status == 401 && !garbage.body.contains("<script>alert") && garbage.body.contains("class=\"error\""))
        let empty = try await client.send("POST", "/ui/login", form: [:])
        #expect(empty.status == 401 && empty.body.contains("Enter an API key"))

        let signedIn = try await client.send("POST", "/ui/login", form: ["key": server.admin.token, "next": "/ui/jobs"])
        #expect(signedIn.status == 303 && signedIn.headers["location"] == "/ui/jobs")
        let header = try #require(signedIn.headers["set-cookie"])
        #expect(header.contains("HttpOnly") && header.contains("SameSite=Strict") && header.contains("Path=/ui"), "\(header)")
        #expect(signedIn.cookie == server.admin.token)
        let offsite = try await client.send("POST", "/ui/login", form: ["key": server.admin.token, "next": "//evil.example/ui"])
        #expect(offsite.headers["location"] == "/ui", "no open redirect")

        let overview = try await client.send("GET", "/ui", cookie: server.admin.token)
        #expect(overview.status == 200 && overview.body.contains("Overview") && overview.body.contains(server.admin.key.id))
        // The cookie is no key for the API.
        #expect(try await client.send("GET", "/api/v1/jobs", cookie: server.admin.token).status == 401)
        // Signing in and failing are audited.
        let rows = try await server.platform.audit.records(workspaceID: nil, limit: 1000).filter { $0.entry.action == "POST /ui/login" }
        #expect(rows.map(\.entry.result).contains("401") && rows.contains { $0.entry.result == "303" && $0.entry.keyID == server.admin.key.id })
        await server.stop()
    }

    @Test func pagesWithoutAValidKeyRedirectToTheSignInForm() async throws {
        let server = try await PlatformTestServer.start("ui-redirect")
        let client = DashboardClient(port: server.port)
        let anonymous = try await client.send("GET", "/ui/jobs?x=1")
        #expect(anonymous.status == 303 && anonymous.headers["location"] == "/ui/login?next=/ui/jobs%3Fx%3D1", "\(anonymous.headers)")
        let revoked = try await server.platform.keys.create(workspaceID: server.admin.key.workspaceID, role: .viewer, name: "gone")
        _ = try await server.platform.keys.revoke(id: revoked.key.id, workspaceID: server.admin.key.workspaceID)
        let stale = try await client.send("GET", "/ui", cookie: revoked.token)
        #expect(stale.status == 303 && stale.headers["location"] == "/ui/login" && stale.headers["set-cookie"]?.contains("Max-Age=0") == true)
        let post = try await client.send("POST", "/ui/jobs", form: ["config": "x"])
        #expect(post.status == 401 && post.body.contains("id=\"login\""))
        let missing = try await client.send("GET", "/ui/nowhere", cookie: server.admin.token)
        #expect(missing.status == 404 && missing.body.contains("no route") && missing.headers["content-type"]?.hasPrefix("text/html") == true)
        await server.stop()
    }

    @Test func formsNeedTheSessionTokenAndThisOrigin() async throws {
        let server = try await PlatformTestServer.start("ui-csrf")
        let client = DashboardClient(port: server.port)
        let (cookie, csrf) = try await client.signIn(server.admin.token)
        #expect(csrf.count == 64)
        let config = PlatformTestServer.config
        let noToken = try await client.send("POST", "/ui/jobs", cookie: cookie, form: ["config": config])
        #expect(noToken.status == 403 && noToken.body.contains("session token"), "\(noToken.body)")
        let wrongToken = try await client.send("POST", "/ui/jobs", cookie: cookie, form: ["config": config, "csrf": String(repeating: "a", count: 64)])
        #expect(wrongToken.status == 403)
        let crossSite = try await client.send("POST", "/ui/jobs", cookie: cookie, form: ["config": config, "csrf": csrf], origin: "http://evil.example")
        #expect(crossSite.status == 403 && crossSite.body.contains("cross-site"))
        #expect(try await server.platform.jobs.list(workspaceID: server.admin.key.workspaceID).isEmpty)
        let sameSite = try await client.send("POST", "/ui/jobs", cookie: cookie, form: ["config": config, "csrf": csrf],
                                             origin: "http://127.0.0.1:\(server.port)")
        #expect(sameSite.status == 303 && sameSite.headers["location"]?.hasPrefix("/ui/jobs/job_") == true, "\(sameSite.status) \(sameSite.body)")
        // A bearer key (which no other site can make a browser send) needs no form token.
        let bearer = try await client.send("POST", "/ui/jobs", token: server.admin.token, form: ["config": config])
        #expect(bearer.status == 303)
        let logout = try await client.send("POST", "/ui/logout", cookie: cookie, form: ["csrf": csrf])
        #expect(logout.status == 303 && logout.headers["set-cookie"]?.contains("Max-Age=0") == true)
        #expect(try await client.send("POST", "/ui/logout", cookie: cookie, form: [:]).status == 403)
        await server.stop()
    }

    @Test func submitErrorsShowOnTheFormAndCancelWorks() async throws {
        let server = try await PlatformTestServer.start("ui-submit", trainer: ["/bin/sh", "-c", "sleep 30", "trainer"])
        let client = DashboardClient(port: server.port)
        let (cookie, csrf) = try await client.signIn(server.admin.token)
        let unknown = try await client.send("POST", "/ui/jobs", cookie: cookie,
                                            form: ["config": PlatformTestServer.config, "inputs": "mnist/x = <nope>", "csrf": csrf])
        #expect(unknown.status == 400 && unknown.body.contains("no dataset &lt;nope&gt;") && unknown.body.contains("mnist/x = &lt;nope&gt;"), "\(unknown.body)")
        let badCPUs = try await client.send("POST", "/ui/jobs", cookie: cookie, form: ["config": PlatformTestServer.config, "cpus": "x", "csrf": csrf])
        #expect(badCPUs.status == 400 && badCPUs.body.contains("CPU slots"))
        let dataset = try await server.platform.datasets.create(name: "train.csv", workspaceID: server.admin.key.workspaceID)
        let upload = try await server.platform.datasets.beginUpload(id: dataset.id, workspaceID: server.admin.key.workspaceID)
        try Array("a,b\n1,2\n".utf8).withUnsafeBytes { try upload.append($0) }
        _ = try await upload.commit()
        let submitted = try await client.send("POST", "/ui/jobs", cookie: cookie,
                                              form: ["config": PlatformTestServer.config, "inputs": "data/train.csv = train.csv\n", "model_name": "m", "csrf": csrf])
        let location = try #require(submitted.headers["location"], "\(submitted.body)")
        let id = String(location.dropFirst("/ui/jobs/".count))
        let job = try await server.platform.jobs.get(id: id, workspaceID: server.admin.key.workspaceID)
        #expect(job.inputs == [JobInput(file: "data/train.csv", dataset: dataset.id, version: 1)] && job.modelName == "m")
        let page = try await client.send("GET", location, cookie: cookie)
        #expect(page.status == 200 && page.body.contains("data-live=\"/ui/jobs/\(id)/live\"") && page.body.contains("<svg"))
        let live = try await client.send("GET", "/ui/jobs/\(id)/live", cookie: cookie)
        #expect(live.status == 200 && live.headers["x-job-state"] != nil && live.body.contains("class=\"curve\""))
        let cancelled = try await client.send("POST", "/ui/jobs/\(id)/cancel", cookie: cookie, form: ["csrf": csrf])
        #expect(cancelled.status == 303)
        #expect(try await server.platform.jobs.get(id: id, workspaceID: server.admin.key.workspaceID).state == .cancelled)
        await server.stop()
    }

    @Test func hostileNamesAreEscapedOnEveryPage() async throws {
        let server = try await PlatformTestServer.start("ui-escape")
        let workspace = server.admin.key.workspaceID
        let hostile = "<img src=x onerror=alert(1)>\"'&"
        // Dataset names are checked (letters, digits, -_.); a CSV's columns are shown as they are.
        let dataset = try await server.platform.datasets.create(name: "hostile.csv", workspaceID: workspace)
        let upload = try await server.platform.datasets.beginUpload(id: dataset.id, workspaceID: workspace)
        try Array("\(hostile),b\n1,2\n".utf8).withUnsafeBytes { try upload.append($0) }
        _ = try await upload.commit()
        let who = Principal(keyID: server.admin.key.id, workspaceID: workspace, role: .admin)
        let job = try await server.platform.jobs.submit(JobSubmission(config: PlatformTestServer.config + "\n# </pre><script>alert(2)</script>",
                                                                      inputs: [], modelName: hostile), principal: who)
        let (model, _) = try await server.platform.models.register(modelFolder: try AuthorizationMatrixTests.modelFolder(), name: "m1",
                                                                   workspaceID: workspace, lineage: ModelLineage(jobID: nil, inputs: [], configSHA256: nil))
        _ = try await server.platform.models.setCard("<script>alert(3)</script>", model: model.id, workspaceID: workspace)
        _ = try await server.platform.market.publish(MarketPublication(model: model.id, version: "1", task: hostile, description: hostile, licence: "MIT"),
                                                     workspaceID: workspace)
        let client = DashboardClient(port: server.port)
        let (cookie, _) = try await client.signIn(server.admin.token)
        let pages = ["/ui", "/ui/jobs", "/ui/jobs/\(job.id)", "/ui/datasets", "/ui/datasets/\(dataset.id)", "/ui/models", "/ui/models/\(model.id)",
                     "/ui/market", "/ui/market?q=%3Cscript%3E", "/ui/audit?action=%3Cscript%3E", "/ui/deployments"]
        for path in pages {
            let page = try await client.send("GET", path, cookie: cookie)
            #expect(page.status == 200, "\(path): \(page.status)")
            #expect(!page.body.contains("<img src=x") && !page.body.contains("<script>alert") && !page.body.contains("\"'&<"), "\(path) is not escaped")
        }
        #expect(try await client.send("GET", "/ui/datasets/\(dataset.id)", cookie: cookie).body.contains("&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;"))
        #expect(try await client.send("GET", "/ui/market", cookie: cookie).body.contains("&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;"))
        await server.stop()
    }

    @Test func rolesOfTheDashboardRoutes() async throws {
        let server = try await PlatformTestServer.start("ui-roles")
        let workspace = server.admin.key.workspaceID
        let viewer = try await server.platform.keys.create(workspaceID: workspace, role: .viewer, name: "viewer")
        let editor = try await server.platform.keys.create(workspaceID: workspace, role: .editor, name: "editor")
        let client = DashboardClient(port: server.port)
        let routes = PlatformServer(platform: server.platform).buildRouter().1.filter { $0.path.hasPrefix("/ui") }
        #expect(Set(routes.map { "\($0.method) \($0.path)" }) == AuthorizationMatrixTests.expectedRoutes.filter { $0.contains(" /ui") })
        #expect(routes.first { $0.path == "/ui/audit" }?.role == .admin && routes.first { $0.method == .post && $0.path == "/ui/jobs" }?.role == .editor)
        let who = Principal(keyID: server.admin.key.id, workspaceID: workspace, role: .admin)
        for (token, role) in [(viewer.token, Role.viewer), (editor.token, .editor), (server.admin.token, .admin)] {
            let (cookie, csrf) = try await client.signIn(token)
            for route in routes where route.path != DashboardSession.loginPath && route.path != "/ui/logout" {
                let job = try await server.platform.jobs.submit(JobSubmission(config: PlatformTestServer.config, inputs: []), principal: who)
                let dataset = try await server.platform.datasets.create(name: "d-\(UUID().uuidString.prefix(6))", workspaceID: workspace)
                let (model, _) = try await server.platform.models.register(modelFolder: try AuthorizationMatrixTests.modelFolder(), name: "m-\(UUID().uuidString.prefix(6))",
                                                                           workspaceID: workspace, lineage: ModelLineage(jobID: nil, inputs: [], configSHA256: nil))
                // A deployment of versions 1 and 2 of the model with no replica (min 0) and a canary, so every form succeeds without a process.
                _ = try await server.platform.models.register(modelFolder: try AuthorizationMatrixTests.modelFolder(), name: model.name, workspaceID: workspace,
                                                              lineage: ModelLineage(jobID: nil, inputs: [], configSHA256: nil))
                let deployment = "d-\(UUID().uuidString.prefix(8).lowercased())"
                _ = try await server.platform.deployments.create(DeploymentSettings(name: deployment, model: "\(model.name):1", minReplicas: 0), workspaceID: workspace)
                _ = try await server.platform.deployments.canary(deployment, model: "\(model.name):2", percent: 10, workspaceID: workspace)
                let path = route.path.replacingOccurrences(of: "/ui/jobs/:id", with: "/ui/jobs/\(job.id)")
                    .replacingOccurrences(of: "/ui/datasets/:id", with: "/ui/datasets/\(dataset.id)").replacingOccurrences(of: ":id", with: model.id)
                    .replacingOccurrences(of: ":name", with: deployment)
                let form = route.method == .post ? ["config": PlatformTestServer.config, "csrf": csrf, "name": "n-\(UUID().uuidString.prefix(8).lowercased())",
                                                    "model": "\(model.name):\(route.path.hasSuffix("/canary") ? 2 : 1)", "min_replicas": "0",
                                                    "max_replicas": "2", "percent": "20"] : nil
                let before = try await server.platform.audit.records(workspaceID: nil, limit: 1000).last?.sequence ?? 0
                let reply = try await client.send(route.method.rawValue, path, cookie: cookie, form: form)
                let allowed = role.includes(route.role)
                let success = route.method == .post ? (route.path == "/ui/deployments" ? 201 : 303) : 200
                #expect(reply.status == (allowed ? success : 403), "\(route.method) \(route.path) as \(role): \(reply.status)")
                let rows = try await server.platform.audit.records(workspaceID: nil, after: before, limit: 1000)
                let audited = route.method == .post || !allowed
                #expect(rows.count == (audited ? 1 : 0) && rows.allSatisfy { $0.entry.action == "\(route.method) \(route.path)" },
                        "\(route.method) \(route.path) as \(role): \(rows.map(\.entry.action))")
            }
        }
        await server.stop()
    }
}
