import Foundation
import HTTPTypes
import Hummingbird
import LeptonPlatform

/// `/ui`: the web dashboard's routes. Pages are GETs for viewers (the audit log for admins);
/// every form that changes something is a POST registered in the route table like the API's
/// routes, so its role is checked and the audit middleware records it, and each checks the
/// session's form token (``DashboardSession/check(_:of:)``).
struct DashboardRoutes {
    let platform: Platform
    let session: DashboardSession
    /// The deployments' replicas (for the deployments pages' status and changes).
    let supervisor: DeploymentSupervisor

    func register(on table: PlatformRouteTable) {
        registerSignIn(on: table)
        page(table, "/ui", "dashboard: overview") { _, _, who, csrf in
            try await DashboardOverviewPage(platform: platform).render(who, csrf: csrf)
        }
        page(table, "/ui/jobs", "dashboard: jobs and the submit form") { _, _, who, csrf in
            try await DashboardJobsPage(platform: platform).render(who, csrf: csrf)
        }
        table.add(.post, "/ui/jobs", role: .editor, "dashboard: submit a job (form)") { request, _, who in
            let form = try await DashboardForm.read(request)
            try session.check(form, of: request)
            let jobs = DashboardJobsPage(platform: platform)
            do {
                let job = try await platform.jobs.submit(try await jobs.submission(from: form, workspaceID: who.workspaceID), principal: who)
                return HTML.redirect(to: "/ui/jobs/\(job.id)")
            } catch let error as PlatformError where error.kind == .badRequest {
                let html = try await jobs.render(who, csrf: session.csrfToken(for: request), draft: DashboardJobsPage.draft(of: form), error: error.message)
                return HTML.response(html, status: .badRequest)
            }
        }
        page(table, "/ui/jobs/:id", "dashboard: a job with its live training curves") { request, context, who, csrf in
            let job = try await platform.jobs.get(id: try request.parameter("id", of: context), workspaceID: who.workspaceID)
            return try await DashboardJobPage(platform: platform).render(job, who: who, csrf: csrf)
        }
        table.add(.get, "/ui/jobs/:id/live", role: .viewer, "dashboard: a job's curves (SVG) and log tail, refetched while it runs") { request, context, who in
            let job = try await platform.jobs.get(id: try request.parameter("id", of: context), workspaceID: who.workspaceID)
            var headers = HTTPFields()
            headers[.jobState] = job.state.rawValue
            return HTML.response(DashboardJobPage(platform: platform).live(job), headers: headers)
        }
        table.add(.post, "/ui/jobs/:id/cancel", role: .editor, "dashboard: cancel a job (form)") { request, context, who in
            try session.check(try await DashboardForm.read(request), of: request)
            let job = try await platform.jobs.cancel(id: try request.parameter("id", of: context), workspaceID: who.workspaceID)
            return HTML.redirect(to: "/ui/jobs/\(job.id)")
        }
        page(table, "/ui/datasets", "dashboard: datasets") { _, _, who, csrf in
            try await DashboardDatasetsPage(platform: platform).render(who, csrf: csrf)
        }
        page(table, "/ui/datasets/:id", "dashboard: a dataset's versions") { request, context, who, csrf in
            try await DashboardDatasetsPage(platform: platform).render(id: try request.parameter("id", of: context), who: who, csrf: csrf)
        }
        page(table, "/ui/models", "dashboard: the model registry") { _, _, who, csrf in
            try await DashboardRegistryPage(platform: platform).render(who, csrf: csrf)
        }
        page(table, "/ui/models/:id", "dashboard: a model's versions, aliases and card") { request, context, who, csrf in
            try await DashboardRegistryPage(platform: platform).render(id: try request.parameter("id", of: context), who: who, csrf: csrf)
        }
        page(table, "/ui/market", "dashboard: the marketplace (?q=TEXT)") { request, _, who, csrf in
            try await DashboardRegistryPage(platform: platform).market(who, csrf: csrf, query: request.uri.queryParameters.get("q") ?? "")
        }
        registerDeployments(on: table)
        page(table, "/ui/audit", role: .admin, "dashboard: the audit log (?action=&key=&result=&from=&to=) and its chain verification") { request, _, who, csrf in
            let filter = DashboardAuditPage.Filter { request.uri.queryParameters.get($0) }
            return try await DashboardAuditPage(platform: platform).render(who, csrf: csrf, filter: filter)
        }
    }

    /// A GET page for `role` and above: the handler returns the page's HTML.
    func page(_ table: PlatformRouteTable, _ path: String, role: Role = .viewer, _ summary: String,
                      render: @escaping @Sendable (Request, PlatformRequestContext, Principal, String) async throws -> String) {
        let session = session
        table.add(.get, path, role: role, summary) { request, context, who in
            HTML.response(try await render(request, context, who, session.csrfToken(for: request)))
        }
    }

    /// The sign-in form (open), signing in (open: it checks the key it is given, and is audited
    /// like every POST) and signing out.
    private func registerSignIn(on table: PlatformRouteTable) {
        let keys = platform.keys, session = session
        table.router.get(RouterPath(DashboardSession.loginPath)) { request, _ in
            HTML.response(DashboardLoginPage.render(next: request.uri.queryParameters.get("next") ?? "/ui"))
        }
        table.patterns.append(PlatformRoute(method: .post, path: DashboardSession.loginPath, role: .viewer,
                                            summary: "dashboard: sign in with an API key (form; open)"))
        table.router.post(RouterPath(DashboardSession.loginPath)) { request, context in
            let form = try await DashboardForm.read(request)
            try DashboardSession.checkOrigin(of: request)
            let next = DashboardLoginPage.safeNext(form["next"])
            guard let token = form.trimmed("key") else {
                return HTML.response(DashboardLoginPage.render(error: "Enter an API key.", next: next), status: .unauthorized)
            }
            do {
                context.identity.principal = try await keys.authenticate(token: token)
            } catch let error as PlatformError where error.kind == .unauthenticated {
                return HTML.response(DashboardLoginPage.render(error: error.message, next: next), status: .unauthorized)
            }
            var headers = HTTPFields()
            headers[.setCookie] = DashboardSession.signInCookie(token)
            return HTML.redirect(to: next, headers: headers)
        }
        table.add(.post, "/ui/logout", role: .viewer, "dashboard: sign out (form)") { request, _, _ in
            try session.check(try await DashboardForm.read(request), of: request)
            var headers = HTTPFields()
            headers[.setCookie] = DashboardSession.signOutCookie
            return HTML.redirect(to: DashboardSession.loginPath, headers: headers)
        }
    }
}
