import Foundation
import LeptonPlatform

/// `/ui/deployments`: the hook where the deployments page goes (replicas, requests/s, latency,
/// scale and rollout buttons). The navigation entry is in ``DashboardLayout/navigation``; the
/// route is registered by ``DashboardRoutes`` and calls ``render(_:csrf:)``. Replace the body of
/// `render` with the page, and register the page's mutating forms (scale, update, canary,
/// promote, rollback) in ``DashboardRoutes`` through the route table, as `POST /ui/jobs` is.
struct DashboardDeploymentsPage {
    /// Where the page lives.
    static let path = "/ui/deployments"

    let platform: Platform

    /// The page.
    func render(_ who: Principal, csrf: String) async throws -> String {
        let content = """
        <div class="card"><p>Deployments serve registered models with <code>lepton serve</code> replicas behind the platform's router.</p>
        <p class="muted">Their page (replicas, requests/s, latency, scale and rollout) is added here with the deployments feature; \
        until then use <code>lepton deploy ls</code> and <code>lepton deploy status NAME</code>.</p></div>
        """
        return DashboardLayout.page(title: "Deployments", active: Self.path, principal: who, csrf: csrf, content: content)
    }
}
