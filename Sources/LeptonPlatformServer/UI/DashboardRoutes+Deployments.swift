import Foundation
import HTTPTypes
import Hummingbird
import LeptonPlatform

extension DashboardRoutes {
    /// `/ui/deployments`: the list and create form, a deployment's page and its live part, and
    /// its forms (scale, rolling update, canary, promote, rollback, delete) — each a POST for
    /// editors that checks the session's form token and lets the supervisor reconcile before
    /// it answers.
    func registerDeployments(on table: PlatformRouteTable) {
        let platform = platform, supervisor = supervisor, session = session
        let list = DashboardDeploymentsPage(platform: platform, supervisor: supervisor)
        let detail = DashboardDeploymentPage(platform: platform, supervisor: supervisor)
        page(table, DashboardDeploymentsPage.path, "dashboard: deployments and the create form") { request, _, who, csrf in
            try await list.render(who, csrf: csrf, host: Self.host(request))
        }
        table.add(.post, DashboardDeploymentsPage.path, role: .editor, "dashboard: create a deployment (form; the answer shows its token once)") { request, _, who in
            let form = try await DashboardForm.read(request)
            try session.check(form, of: request)
            let csrf = session.csrfToken(for: request)
            do {
                let issued = try await platform.deployments.create(try DashboardDeploymentsPage.settings(from: form), workspaceID: who.workspaceID)
                await supervisor.reconcile()
                return HTML.response(try await detail.render(issued.deployment, who: who, csrf: csrf, host: Self.host(request), token: issued.token),
                                     status: .created)
            } catch let error as PlatformError where [.badRequest, .conflict, .notFound].contains(error.kind) {
                let html = try await list.render(who, csrf: csrf, host: Self.host(request), draft: DashboardDeploymentsPage.draft(of: form), error: error.message)
                return HTML.response(html, status: .badRequest)
            }
        }
        page(table, "\(DashboardDeploymentsPage.path)/:name", "dashboard: a deployment's replicas, traffic, events and rollout forms") { request, context, who, csrf in
            let deployment = try await platform.deployments.get(try request.parameter("name", of: context), workspaceID: who.workspaceID)
            return try await detail.render(deployment, who: who, csrf: csrf, host: Self.host(request))
        }
        table.add(.get, "\(DashboardDeploymentsPage.path)/:name/live", role: .viewer, "dashboard: a deployment's replicas and traffic, refetched every 2 s") { request, context, who in
            let deployment = try await platform.deployments.get(try request.parameter("name", of: context), workspaceID: who.workspaceID)
            return HTML.response(detail.live(deployment))
        }
        change(table, "scale", "set the replica range (form)") { form, name, who in
            let minimum = try DashboardDeploymentsPage.integer(form, "min_replicas", "Min replicas")
            let maximum = try DashboardDeploymentsPage.integer(form, "max_replicas", "Max replicas")
            _ = try await platform.deployments.scale(name, minReplicas: minimum, maxReplicas: maximum, workspaceID: who.workspaceID)
        }
        change(table, "update", "roll to another version of the model (form)") { form, name, who in
            _ = try await platform.deployments.update(name, model: form.trimmed("model") ?? "", workspaceID: who.workspaceID)
        }
        change(table, "canary", "send a percentage of the traffic to another version (form)") { form, name, who in
            let percent = try DashboardDeploymentsPage.integer(form, "percent", "Percent") ?? 10
            _ = try await platform.deployments.canary(name, model: form.trimmed("model") ?? "", percent: percent, workspaceID: who.workspaceID)
        }
        change(table, "promote", "make the canary the stable version (form)") { _, name, who in
            _ = try await platform.deployments.promote(name, workspaceID: who.workspaceID)
        }
        change(table, "rollback", "remove the canary (form)") { _, name, who in
            _ = try await platform.deployments.rollback(name, workspaceID: who.workspaceID)
        }
        change(table, "delete", "delete a deployment (form)", then: DashboardDeploymentsPage.path) { _, name, who in
            _ = try await platform.deployments.delete(name, workspaceID: who.workspaceID)
        }
    }

    /// `POST /ui/deployments/:name/<action>` for editors: checks the form token, applies the
    /// change, lets the supervisor reconcile and redirects to the deployment's page (or `then`);
    /// a refused change shows the page again with the message.
    private func change(_ table: PlatformRouteTable, _ action: String, _ summary: String, then: String? = nil,
                        apply: @escaping @Sendable (DashboardForm, String, Principal) async throws -> Void) {
        let platform = platform, supervisor = supervisor, session = session
        table.add(.post, "\(DashboardDeploymentsPage.path)/:name/\(action)", role: .editor, "dashboard: \(summary)") { request, context, who in
            let form = try await DashboardForm.read(request)
            try session.check(form, of: request)
            let name = try request.parameter("name", of: context)
            do {
                try await apply(form, name, who)
            } catch let error as PlatformError where [.badRequest, .conflict, .notFound].contains(error.kind) {
                // A missing deployment is a 404 here; a form naming a missing model version shows its message.
                let deployment = try await platform.deployments.get(name, workspaceID: who.workspaceID)
                let html = try await DashboardDeploymentPage(platform: platform, supervisor: supervisor)
                    .render(deployment, who: who, csrf: session.csrfToken(for: request), host: Self.host(request), error: error.message)
                return HTML.response(html, status: error.kind == .conflict ? .conflict : .badRequest)
            }
            await supervisor.reconcile()
            return HTML.redirect(to: then ?? "\(DashboardDeploymentsPage.path)/\(name)")
        }
    }

    /// The `Host` the browser used.
    static func host(_ request: Request) -> String { request.head.authority ?? "127.0.0.1" }
}
