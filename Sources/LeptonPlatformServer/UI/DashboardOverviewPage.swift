import Foundation
import LeptonPlatform

/// `/ui`: counts of the workspace's jobs by state, datasets, models and listings, and the newest jobs.
struct DashboardOverviewPage {
    let platform: Platform

    /// The page.
    func render(_ who: Principal, csrf: String) async throws -> String {
        let jobs = try await platform.jobs.list(workspaceID: who.workspaceID)
        let datasets = try await platform.datasets.list(workspaceID: who.workspaceID).count
        let models = try await platform.models.list(workspaceID: who.workspaceID).count
        let listings = try await platform.market.search().count
        func stat(_ value: Int, _ label: String, _ path: String) -> String {
            "<a class=\"stat\" href=\"\(HTML.escape(path))\" style=\"text-decoration:none;color:inherit\"><b>\(HTML.escape(value))</b><span>\(HTML.escape(label))</span></a>"
        }
        let running = jobs.filter { $0.state == .running }.count, queued = jobs.filter { $0.state == .queued }.count
        let succeeded = jobs.filter { $0.state == .succeeded }.count, failed = jobs.filter { $0.state == .failed }.count
        let recent = jobs.prefix(8).map { job in
            [DashboardLayout.link("/ui/jobs/\(job.id)", job.id), DashboardLayout.badge(job.state), HTML.escape(job.modelName ?? "—"), HTML.date(job.created)]
        }
        let content = """
        <div class="cards">\(stat(running, "running jobs", "/ui/jobs"))\(stat(queued, "queued jobs", "/ui/jobs"))\
        \(stat(succeeded, "succeeded", "/ui/jobs"))\(stat(failed, "failed", "/ui/jobs"))\
        \(stat(datasets, "datasets", "/ui/datasets"))\(stat(models, "models", "/ui/models"))\(stat(listings, "market listings", "/ui/market"))</div>
        <h2>Newest jobs</h2>
        \(DashboardLayout.table(["Job", "State", "Model name", "Submitted"], Array(recent), empty: "No jobs yet."))
        """
        return DashboardLayout.page(title: "Overview", active: "/ui", principal: who, csrf: csrf, content: content)
    }
}
