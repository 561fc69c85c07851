import Foundation
import LeptonPlatform

/// `/ui/datasets` and `/ui/datasets/:id`: the workspace's datasets and each one's versions
/// (size, digest, what the format sniffer saw).
struct DashboardDatasetsPage {
    let platform: Platform

    /// The list.
    func render(_ who: Principal, csrf: String) async throws -> String {
        var rows: [[String]] = []
        for dataset in try await platform.datasets.list(workspaceID: who.workspaceID) {
            let versions = try await platform.datasets.versions(id: dataset.id, workspaceID: who.workspaceID)
            rows.append([DashboardLayout.link("/ui/datasets/\(dataset.id)", dataset.name), "<span class=\"mono\">\(HTML.escape(dataset.id))</span>",
                         HTML.escape(versions.count), HTML.escape(versions.last.map { HTML.bytes($0.size) } ?? "—"),
                         HTML.escape(versions.last?.preview.format.rawValue ?? "—"), HTML.date(dataset.created)])
        }
        let content = DashboardLayout.table(["Name", "Id", "Versions", "Newest size", "Format", "Created"], rows,
                                            empty: "No datasets yet; push one with lepton dataset push FILE.", id: "datasets")
        return DashboardLayout.page(title: "Datasets", active: "/ui/datasets", principal: who, csrf: csrf, content: content)
    }

    /// One dataset with its versions.
    func render(id: String, who: Principal, csrf: String) async throws -> String {
        let dataset = try await platform.datasets.get(id: id, workspaceID: who.workspaceID)
        let rows = try await platform.datasets.versions(id: id, workspaceID: who.workspaceID).reversed().map { version in
            let shape = version.preview.shape.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" } ?? version.preview.columns?.joined(separator: ", ") ?? ""
            return [HTML.escape(version.number), HTML.escape(HTML.bytes(version.size)), "<span class=\"mono\" title=\"\(HTML.escape(version.sha256))\">\(HTML.escape(version.sha256.prefix(16)))…</span>",
                    HTML.escape(version.preview.format.rawValue) + (shape.isEmpty ? "" : " <span class=\"muted\">\(HTML.escape(shape))</span>"), HTML.date(version.created)]
        }
        let content = """
        <p class="muted">Dataset <span class="mono">\(HTML.escape(dataset.id))</span>, created \(HTML.date(dataset.created)). Versions are encrypted at rest and verified when read.</p>
        \(DashboardLayout.table(["Version", "Size", "SHA-256", "Format", "Created"], rows, empty: "No versions yet.", id: "versions"))
        """
        return DashboardLayout.page(title: "Dataset \(dataset.name)", active: "/ui/datasets", principal: who, csrf: csrf, content: content)
    }
}

/// `/ui/models`, `/ui/models/:id` and `/ui/market`: the registry (models, versions with their
/// lineage, aliases, card) and the marketplace's listings.
struct DashboardRegistryPage {
    let platform: Platform

    /// The registry's models.
    func render(_ who: Principal, csrf: String) async throws -> String {
        var rows: [[String]] = []
        for model in try await platform.models.list(workspaceID: who.workspaceID) {
            let versions = try await platform.models.versions(model.id, workspaceID: who.workspaceID)
            rows.append([DashboardLayout.link("/ui/models/\(model.id)", model.name), HTML.escape(versions.count),
                         Self.aliases(model.aliases), HTML.date(versions.last?.created ?? model.created)])
        }
        let content = DashboardLayout.table(["Model", "Versions", "Aliases", "Newest version"], rows,
                                            empty: "No models yet; a job with a model name registers one.", id: "models")
        return DashboardLayout.page(title: "Model registry", active: "/ui/models", principal: who, csrf: csrf, content: content)
    }

    /// One model.
    func render(id: String, who: Principal, csrf: String) async throws -> String {
        let model = try await platform.models.get(id, workspaceID: who.workspaceID)
        let rows = try await platform.models.versions(model.id, workspaceID: who.workspaceID).reversed().map { version in
            let aliases = model.aliases.filter { $0.value == version.number }.keys.sorted()
            let lineage = version.lineage.jobID.map { DashboardLayout.link("/ui/jobs/\($0)", $0) }
                ?? version.lineage.listingID.map { "listing <span class=\"mono\">\(HTML.escape($0))</span>" } ?? "—"
            return [HTML.escape(version.number), HTML.escape(aliases.joined(separator: ", ")), lineage,
                    HTML.escape(version.files.map { "\($0.name) (\(HTML.bytes($0.size)))" }.joined(separator: ", ")), HTML.date(version.created)]
        }
        let card = model.card.isEmpty ? "<p class=\"muted\">No model card.</p>" : "<pre class=\"card\">\(HTML.escape(model.card))</pre>"
        let content = """
        <p class="muted">Model <span class="mono">\(HTML.escape(model.id))</span>; aliases: \(Self.aliases(model.aliases))</p>
        \(DashboardLayout.table(["Version", "Aliases", "Trained by", "Files", "Created"], rows, empty: "No versions.", id: "versions"))
        <h2>Model card</h2>\(card)
        """
        return DashboardLayout.page(title: "Model \(model.name)", active: "/ui/models", principal: who, csrf: csrf, content: content)
    }

    /// The marketplace, searched by `query`.
    func market(_ who: Principal, csrf: String, query: String) async throws -> String {
        let rows = try await platform.market.search(query).map { listing in
            [HTML.escape(listing.name), HTML.escape(listing.task), HTML.escape(listing.licence), HTML.escape(listing.description),
             HTML.escape(listing.metrics.sorted { $0.key < $1.key }.map { "\($0.key) \(TrainingCurveChart.format($0.value))" }.joined(separator: ", ")),
             "<span class=\"mono\">\(HTML.escape(listing.id))</span>", HTML.date(listing.created)]
        }
        let content = """
        <form method="get" action="/ui/market" class="row" style="margin-bottom:12px"><input type="text" name="q" value="\(HTML.escape(query))" placeholder="Search listings">\
        <div><button type="submit" class="primary">Search</button></div></form>
        \(DashboardLayout.table(["Name", "Task", "Licence", "Description", "Metrics", "Listing", "Published"], rows, empty: "No listings.", id: "listings"))
        <p class="muted">Pull a listing into your registry with <code>lepton market pull LISTING</code>.</p>
        """
        return DashboardLayout.page(title: "Marketplace", active: "/ui/market", principal: who, csrf: csrf, content: content)
    }

    static func aliases(_ aliases: [String: Int]) -> String {
        aliases.isEmpty ? "—" : aliases.sorted { $0.key < $1.key }.map { "<code>\(HTML.escape($0.key))</code>→\(HTML.escape($0.value))" }.joined(separator: " ")
    }
}
