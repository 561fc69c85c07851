import Foundation
import LeptonPlatform

/// The frame of every dashboard page: the head (inline style and script, nothing fetched from
/// elsewhere), the navigation, who is signed in with a sign-out button, and the page's content.
struct DashboardLayout {
    /// An entry of the navigation bar.
    struct NavigationEntry {
        let title: String
        let path: String
        /// The least role that sees the entry.
        let role: Role
    }

    /// The navigation bar, in order. A page of its own adds one entry here and registers its
    /// route in ``DashboardRoutes`` (Deployments: see `DashboardDeploymentsPage.swift`).
    static let navigation: [NavigationEntry] = [
        NavigationEntry(title: "Overview", path: "/ui", role: .viewer),
        NavigationEntry(title: "Jobs", path: "/ui/jobs", role: .viewer),
        NavigationEntry(title: "Datasets", path: "/ui/datasets", role: .viewer),
        NavigationEntry(title: "Registry", path: "/ui/models", role: .viewer),
        NavigationEntry(title: "Marketplace", path: "/ui/market", role: .viewer),
        NavigationEntry(title: "Deployments", path: DashboardDeploymentsPage.path, role: .viewer),
        NavigationEntry(title: "Audit", path: "/ui/audit", role: .admin),
    ]

    /// A whole page. `active` is the path of the navigation entry to highlight; `content` is
    /// markup, under an `<h1>` of the title unless `heading` is false (the content has its own).
    static func page(title: String, active: String, principal: Principal?, csrf: String, heading: Bool = true, content: String) -> String {
        let links = principal.map { who in
            navigation.filter { who.role.includes($0.role) }.map { entry in
                let current = entry.path == active ? " class=\"active\" aria-current=\"page\"" : ""
                return "<a href=\"\(HTML.escape(entry.path))\"\(current)>\(HTML.escape(entry.title))</a>"
            }.joined()
        } ?? ""
        let account = principal.map { who in
            """
            <form method="post" action="/ui/logout" class="account">
              <span title="key id">\(HTML.escape(who.keyID))</span> <span class="role">\(HTML.escape(who.role.rawValue))</span>
              <input type="hidden" name="\(DashboardSession.csrfField)" value="\(HTML.escape(csrf))">
              <button type="submit" class="link" id="sign-out">Sign out</button>
            </form>
            """
        } ?? ""
        return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTML.escape(title)) · Lepton</title>
        <style>\(DashboardAssets.css)</style></head>
        <body><header><a class="brand" href="/ui">Lepton</a><nav>\(links)</nav>\(account)</header>
        <main>\(heading ? "<h1>\(HTML.escape(title))</h1>" : "")
        \(content)
        </main><script>\(DashboardAssets.script)</script></body></html>
        """
    }

    /// A small error box (the message escaped), or nothing.
    static func error(_ message: String?) -> String {
        guard let message else { return "" }
        return "<p class=\"error\" role=\"alert\">\(HTML.escape(message))</p>"
    }

    /// A coloured badge for a job state.
    static func badge(_ state: JobState) -> String {
        "<span class=\"badge \(HTML.escape(state.rawValue))\">\(HTML.escape(state.rawValue))</span>"
    }

    /// A table: `header` cells, then rows of cells that are markup already.
    static func table(_ header: [String], _ rows: [[String]], empty: String, id: String? = nil) -> String {
        guard !rows.isEmpty else { return "<p class=\"muted\">\(HTML.escape(empty))</p>" }
        let head = header.map { "<th>\(HTML.escape($0))</th>" }.joined()
        let body = rows.map { "<tr>" + $0.map { "<td>\($0)</td>" }.joined() + "</tr>" }.joined(separator: "\n")
        return "<table\(id.map { " id=\"\(HTML.escape($0))\"" } ?? "")><thead><tr>\(head)</tr></thead><tbody>\n\(body)\n</tbody></table>"
    }

    /// A link whose path and text are escaped.
    static func link(_ path: String, _ text: String) -> String {
        "<a href=\"\(HTML.escape(path))\">\(HTML.escape(text))</a>"
    }
}
