import Foundation
import LeptonPlatform

/// `/ui/deployments/:name`: one deployment — its settings and endpoint, a live part (replicas
/// with phase, port and outstanding requests, requests and latency, a chart of replicas and
/// requests/s over time) refetched from `/ui/deployments/:name/live` every 2 s, its recent
/// events, and for editors the scale, rolling update, canary, promote, rollback and delete forms.
struct DashboardDeploymentPage {
    let platform: Platform
    let supervisor: DeploymentSupervisor

    /// The page; `token` is the new deployment's token, shown only on the create form's answer.
    func render(_ deployment: Deployment, who: Principal, csrf: String, host: String, token: String? = nil, error: String? = nil) async throws -> String {
        let events = try await platform.deployments.events(deployment.name, workspaceID: who.workspaceID, limit: 15)
        let eventRows = events.map { ["<span class=\"nowrap\">\(HTML.date($0.time))</span>", "<code>\(HTML.escape($0.kind))</code>", HTML.escape($0.message)] }
        let endpoint = DashboardDeploymentsPage.endpoint(deployment.name, host: host)
        let issued = token.map { token in
            """
            <div class="card" id="new-token"><b>Deployment token</b> — copy it now, it is not shown again:
            <pre class="mono" id="deployment-token">\(HTML.escape(token))</pre>
            <p class="muted" style="margin:0">Send it as <code>Authorization: Bearer TOKEN</code> to <code>\(HTML.escape(endpoint))/v2/…</code></p></div>
            """
        } ?? ""
        let scaling = deployment.scaling
        let content = """
        \(DashboardLayout.error(error))\(issued)
        <div class="split even"><section class="card" style="align-self:start"><dl class="facts">
        <dt>Model</dt><dd>\(DashboardLayout.link("/ui/models/\(deployment.modelID)", deployment.modelName)) <code>v\(HTML.escape(deployment.version))</code></dd>
        <dt>Canary</dt><dd>\(deployment.canary.map { "<code>v\(HTML.escape($0.version))</code> with \(HTML.escape($0.percent))% of requests" } ?? "—")</dd>
        <dt>Replicas</dt><dd>\(HTML.escape(deployment.minReplicas))–\(HTML.escape(deployment.maxReplicas))</dd>
        <dt>Autoscaling</dt><dd>\(scaling.targetRequestsPerSecond.map { "\(HTML.escape(DeploymentLiveStatus.format($0))) req/s per replica" } ?? "off")\
        \(scaling.scaleToZeroAfterSeconds.map { "; to zero after \(HTML.escape(DeploymentLiveStatus.format($0))) s idle" } ?? "")</dd>
        <dt>Access</dt><dd>\(deployment.isPublic ? "public (no token)" : "token")</dd>
        <dt>Endpoint</dt><dd><code>\(HTML.escape(endpoint))</code></dd>
        <dt>Updated</dt><dd>\(HTML.date(deployment.updated))</dd>
        </dl></section>
        <section id="live" data-live="\(HTML.escape(DashboardDeploymentsPage.path))/\(HTML.escape(deployment.name))/live">\(live(deployment))</section></div>
        \(who.role.includes(.editor) ? forms(deployment, csrf: csrf) : "")
        <h2>Recent events</h2>\(DashboardLayout.table(["Time", "Kind", "Message"], eventRows, empty: "No events yet.", id: "events"))
        """
        return DashboardLayout.page(title: "Deployment \(deployment.name)", active: DashboardDeploymentsPage.path, principal: who, csrf: csrf, content: content)
    }

    /// The live part: counts, the replicas table and the chart.
    func live(_ deployment: Deployment) -> String {
        let status = DeploymentLiveStatus(deployment, pool: supervisor.pools[deployment.name])
        let rows = status.replicas.map { replica in
            ["<code>\(HTML.escape(replica.id))</code>", "v\(HTML.escape(replica.version))",
             "<span class=\"badge \(replica.phase == "ready" ? "succeeded" : replica.phase == "starting" ? "running" : "cancelled")\">\(HTML.escape(replica.phase))</span>",
             HTML.escape(replica.port.map(String.init) ?? "—"), HTML.escape(replica.outstanding)]
        }
        let stats = status.statistics
        return """
        <div class="cards"><div class="stat"><span>Ready / target</span><b id="ready-replicas">\(HTML.escape(status.ready)) / \(HTML.escape(status.target))</b></div>
        <div class="stat"><span>Requests/s</span><b>\(HTML.escape(DeploymentLiveStatus.format(status.requestsPerSecond)))</b></div>
        <div class="stat"><span>p50 / p99</span><b style="font-size:16px;white-space:nowrap;line-height:36px">\(HTML.escape(DeploymentLiveStatus.ms(stats.latencyP50Ms))) / \(HTML.escape(DeploymentLiveStatus.ms(stats.latencyP99Ms)))</b></div>
        <div class="stat"><span>Requests (failed)</span><b>\(HTML.escape(stats.requests)) <small class="muted">(\(HTML.escape(stats.failedRequests)))</small></b></div></div>
        \(DashboardLayout.table(["Replica", "Version", "Phase", "Port", "Outstanding"], rows, empty: "No replicas running.", id: "replicas"))
        <div class="chart" style="margin-top:12px">\(DeploymentChart(samples: stats.replicasOverTime).svg())</div>
        """
    }

    private func forms(_ deployment: Deployment, csrf: String) -> String {
        let base = "\(DashboardDeploymentsPage.path)/\(deployment.name)"
        func form(_ action: String, _ id: String, _ fields: String, _ button: String, danger: Bool = false) -> String {
            """
            <form method="post" action="\(HTML.escape(base))/\(action)" class="card stack" id="\(id)">
            <input type="hidden" name="\(DashboardSession.csrfField)" value="\(HTML.escape(csrf))">\(fields)
            <div><button type="submit" class="\(danger ? "danger" : "primary")">\(button)</button></div></form>
            """
        }
        let scale = form("scale", "scale-deployment", """
            <b>Scale</b><div class="row"><div><label for="min_replicas">Min</label>
            <input type="number" id="min_replicas" name="min_replicas" min="0" value="\(HTML.escape(deployment.minReplicas))"></div>
            <div><label for="max_replicas">Max</label><input type="number" id="max_replicas" name="max_replicas" min="1" value="\(HTML.escape(deployment.maxReplicas))"></div></div>
            """, "Scale")
        let update = form("update", "update-deployment", """
            <b>Rolling update</b><div><label for="update_model">Model <small>MODEL:VERSION or MODEL@ALIAS</small></label>
            <input type="text" id="update_model" name="model" required value="\(HTML.escape(deployment.modelName)):\(HTML.escape(deployment.version))"></div>
            """, "Roll out")
        let canary = form("canary", "canary-deployment", """
            <b>Canary</b><div class="row"><div><label for="canary_model">Model</label>
            <input type="text" id="canary_model" name="model" required placeholder="\(HTML.escape(deployment.modelName)):\(HTML.escape(deployment.version + 1))"></div>
            <div><label for="percent">Percent</label><input type="number" id="percent" name="percent" min="1" max="100" value="10"></div></div>
            """, "Start canary")
        var canaryActions = ""
        if deployment.canary != nil {
            canaryActions = form("promote", "promote-deployment", "<b>Canary</b>", "Promote canary")
                + form("rollback", "rollback-deployment", "<b>Canary</b>", "Roll back canary", danger: true)
        }
        let delete = form("delete", "delete-deployment", "<b>Delete</b><p class=\"muted\" style=\"margin:0\">Drains and stops every replica.</p>",
                          "Delete deployment", danger: true)
        return "<h2>Change</h2><div class=\"cards\" style=\"grid-template-columns:repeat(auto-fit,minmax(250px,1fr))\">\(scale)\(update)\(canary)\(canaryActions)\(delete)</div>"
    }
}
