import Foundation
import LeptonPlatform

/// `/ui/deployments`: the workspace's deployments (model version, canary, replicas, requests/s,
/// latency, endpoint) and, for editors, the form that creates one. The form's answer is the new
/// deployment's page with its token, shown that once.
struct DashboardDeploymentsPage {
    /// Where the page lives.
    static let path = "/ui/deployments"

    let platform: Platform
    let supervisor: DeploymentSupervisor

    /// What the create form held (shown again, with the error, when it was refused).
    struct Draft {
        var name = ""
        var model = ""
        var minReplicas = "1"
        var maxReplicas = "1"
        var targetRPS = ""
        var scaleToZero = ""
        var isPublic = false
    }

    /// The page. `host` is the `Host` the browser used (for the endpoint URLs).
    func render(_ who: Principal, csrf: String, host: String, draft: Draft = Draft(), error: String? = nil) async throws -> String {
        let deployments = try await platform.deployments.list(workspaceID: who.workspaceID)
        let rows = deployments.map { deployment in
            let live = DeploymentLiveStatus(deployment, pool: supervisor.pools[deployment.name])
            return [DashboardLayout.link("\(Self.path)/\(deployment.name)", deployment.name),
                    "<code>\(HTML.escape(deployment.modelName)):\(HTML.escape(deployment.version))</code>",
                    deployment.canary.map { "v\(HTML.escape($0.version)) · \(HTML.escape($0.percent))%" } ?? "—",
                    "<span class=\"nowrap\"><b>\(HTML.escape(live.ready))</b>/\(HTML.escape(live.target))</span> <small class=\"muted nowrap\">(\(HTML.escape(deployment.minReplicas))–\(HTML.escape(deployment.maxReplicas)))</small>",
                    HTML.escape(DeploymentLiveStatus.format(live.requestsPerSecond)),
                    "<span class=\"nowrap\">\(HTML.escape(DeploymentLiveStatus.ms(live.statistics.latencyP50Ms))) / \(HTML.escape(DeploymentLiveStatus.ms(live.statistics.latencyP99Ms)))</span>",
                    "<code>\(HTML.escape(Self.endpoint(deployment.name, host: host)))</code>"]
        }
        var content = DashboardLayout.table(["Name", "Model", "Canary", "Ready/target", "Req/s", "p50 / p99", "Endpoint"], rows,
                                            empty: "No deployments yet.", id: "deployments")
        if who.role.includes(.editor) {
            content += form(csrf: csrf, draft: draft, error: error)
        }
        return DashboardLayout.page(title: "Deployments", active: Self.path, principal: who, csrf: csrf, content: content)
    }

    private func form(csrf: String, draft: Draft, error: String?) -> String {
        """
        <h2>Create a deployment</h2><form method="post" action="\(Self.path)" class="card stack" id="create-deployment">
        \(DashboardLayout.error(error))
        <input type="hidden" name="\(DashboardSession.csrfField)" value="\(HTML.escape(csrf))">
        <div class="row"><div><label for="name">Name <small>lower-case letters, digits, -</small></label>
        <input type="text" id="name" name="name" required value="\(HTML.escape(draft.name))"></div>
        <div><label for="model">Model <small>MODEL[:VERSION|@ALIAS]</small></label>
        <input type="text" id="model" name="model" required placeholder="mnist@champion" value="\(HTML.escape(draft.model))"></div></div>
        <div class="row"><div><label for="min_replicas">Min replicas</label>
        <input type="number" id="min_replicas" name="min_replicas" min="0" value="\(HTML.escape(draft.minReplicas))"></div>
        <div><label for="max_replicas">Max replicas</label>
        <input type="number" id="max_replicas" name="max_replicas" min="1" value="\(HTML.escape(draft.maxReplicas))"></div>
        <div><label for="target_rps">Target req/s per replica <small>(optional)</small></label>
        <input type="number" id="target_rps" name="target_rps" min="0" step="any" value="\(HTML.escape(draft.targetRPS))"></div>
        <div><label for="scale_to_zero">Scale to zero after s <small>(optional)</small></label>
        <input type="number" id="scale_to_zero" name="scale_to_zero" min="0" step="any" value="\(HTML.escape(draft.scaleToZero))"></div></div>
        <label><input type="checkbox" name="public" value="1"\(draft.isPublic ? " checked" : "")> Public <small>(requests need no token)</small></label>
        <div><button type="submit" class="primary">Create deployment</button></div></form>
        """
    }

    /// Reads the create form into settings.
    /// - Throws: ``PlatformError`` (`badRequest`) naming the field that is wrong.
    static func settings(from form: DashboardForm) throws -> DeploymentSettings {
        guard let name = form.trimmed("name") else { throw PlatformError(.badRequest, "the name is empty") }
        guard let model = form.trimmed("model") else { throw PlatformError(.badRequest, "the model is empty") }
        let minReplicas = try integer(form, "min_replicas", "Min replicas") ?? 1
        let scaling = ScalingRule(targetRequestsPerSecond: try number(form, "target_rps", "Target req/s"),
                                  scaleToZeroAfterSeconds: try number(form, "scale_to_zero", "Scale to zero"))
        return DeploymentSettings(name: name, model: model, minReplicas: minReplicas, maxReplicas: try integer(form, "max_replicas", "Max replicas"),
                                  scaling: scaling, isPublic: form["public"] != nil)
    }

    /// The field `name` as an integer, nil when blank.
    static func integer(_ form: DashboardForm, _ name: String, _ label: String) throws -> Int? {
        guard let text = form.trimmed(name) else { return nil }
        guard let value = Int(text) else { throw PlatformError(.badRequest, "\(label): expected an integer, got \(text)") }
        return value
    }

    /// The field `name` as a positive number, nil when blank or 0.
    static func number(_ form: DashboardForm, _ name: String, _ label: String) throws -> Double? {
        guard let text = form.trimmed(name) else { return nil }
        guard let value = Double(text), value >= 0, value.isFinite else { throw PlatformError(.badRequest, "\(label): expected a number ≥ 0, got \(text)") }
        return value > 0 ? value : nil
    }

    /// The form's fields, to show them again.
    static func draft(of form: DashboardForm) -> Draft {
        Draft(name: form["name"] ?? "", model: form["model"] ?? "", minReplicas: form["min_replicas"] ?? "", maxReplicas: form["max_replicas"] ?? "",
              targetRPS: form["target_rps"] ?? "", scaleToZero: form["scale_to_zero"] ?? "", isPublic: form["public"] != nil)
    }

    /// A deployment's endpoint URL as the browser reached the platform.
    static func endpoint(_ name: String, host: String) -> String {
        "http://\(host)\(DeploymentRouter.prefix)\(name)"
    }
}
