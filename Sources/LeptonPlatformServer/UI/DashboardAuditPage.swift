import Foundation
import LeptonPlatform

/// `/ui/audit` (admin): the workspace's audit rows, newest first, filtered by action, key, result
/// and time range, with the result of verifying the whole hash chain.
struct DashboardAuditPage {
    let platform: Platform

    /// The filters of the page's form (all optional).
    struct Filter {
        var action = "", key = "", result = "", from = "", to = ""

        /// Reads `?action=&key=&result=&from=&to=` (times as `2026-12-03T09:30`, UTC).
        init(query: (String) -> String?) {
            action = query("action") ?? ""; key = query("key") ?? ""; result = query("result") ?? ""
            from = query("from") ?? ""; to = query("to") ?? ""
        }

        /// Whether a row passes: action and key contain the text given (any case), the result
        /// starts with the one given (`4` for every 4xx), the time lies in [from, to].
        func matches(_ entry: AuditEntry, from start: Date?, to end: Date?) -> Bool {
            if !action.isEmpty && !entry.action.localizedCaseInsensitiveContains(action) { return false }
            if !key.isEmpty && !(entry.keyID ?? "-").localizedCaseInsensitiveContains(key) { return false }
            if !result.isEmpty && !entry.result.hasPrefix(result) { return false }
            let time = Date(timeIntervalSince1970: Double(entry.timeMilliseconds) / 1000)
            if let start, time < start { return false }
            if let end, time > end { return false }
            return true
        }
    }

    /// Rows read at most (newest first after filtering), and rows shown at most.
    static let scanLimit = 50_000, shownLimit = 300

    /// The page.
    func render(_ who: Principal, csrf: String, filter: Filter) async throws -> String {
        let start = try Self.time(filter.from, field: "from"), end = try Self.time(filter.to, field: "to")
        var matching: [AuditRecord] = [], after = 0, scanned = 0
        while scanned < Self.scanLimit {
            let page = try await platform.audit.records(workspaceID: who.workspaceID, after: after, limit: 1000)
            guard let last = page.last else { break }
            matching += page.filter { filter.matches($0.entry, from: start, to: end) }
            if matching.count > Self.shownLimit { matching.removeFirst(matching.count - Self.shownLimit) }
            after = last.sequence
            scanned += page.count
        }
        let verification: String
        do {
            let rows = try await platform.audit.verify()
            verification = "<p class=\"ok\" id=\"chain\">✓ Hash chain verified: \(HTML.escape(rows)) rows, unbroken from the first.</p>"
        } catch {
            verification = "<p class=\"bad\" id=\"chain\">✗ Hash chain broken: \(HTML.escape(String(describing: error)))</p>"
        }
        let rows = matching.reversed().map { record in
            let entry = record.entry
            let result = Int(entry.result).map { $0 >= 400 ? "<span class=\"bad\">\(HTML.escape(entry.result))</span>" : HTML.escape(entry.result) } ?? HTML.escape(entry.result)
            return [HTML.escape(record.sequence), HTML.date(Date(timeIntervalSince1970: Double(entry.timeMilliseconds) / 1000)),
                    "<span class=\"mono nowrap\">\(HTML.escape(entry.keyID ?? "-"))</span>", HTML.escape(entry.action),
                    "<span class=\"mono\">\(HTML.escape(entry.resource))</span>", result, HTML.escape(entry.source)]
        }
        let content = """
        \(verification)
        <form method="get" action="/ui/audit" class="card row" id="audit-filter">
        <div><label for="action">Action</label><input type="text" id="action" name="action" value="\(HTML.escape(filter.action))" placeholder="POST /api/v1/jobs"></div>
        <div><label for="key">Key</label><input type="text" id="key" name="key" value="\(HTML.escape(filter.key))" placeholder="key id"></div>
        <div><label for="result">Result</label><input type="text" id="result" name="result" value="\(HTML.escape(filter.result))" placeholder="201, 4…"></div>
        <div><label for="from">From (UTC)</label><input type="datetime-local" id="from" name="from" value="\(HTML.escape(filter.from))"></div>
        <div><label for="to">To (UTC)</label><input type="datetime-local" id="to" name="to" value="\(HTML.escape(filter.to))"></div>
        <div><button type="submit" class="primary">Filter</button></div></form>
        <p class="muted">\(HTML.escape(matching.count)) matching rows shown (newest first, at most \(Self.shownLimit)).</p>
        \(DashboardLayout.table(["#", "Time", "Key", "Action", "Resource", "Result", "Source"], Array(rows), empty: "No matching rows.", id: "audit"))
        """
        return DashboardLayout.page(title: "Audit log", active: "/ui/audit", principal: who, csrf: csrf, content: content)
    }

    /// A `datetime-local` value (`2026-12-03T09:30`, seconds optional) read as UTC; nil when empty.
    /// - Throws: ``PlatformError`` (`badRequest`) for another form.
    static func time(_ text: String, field: String) throws -> Date? {
        guard !text.isEmpty else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        throw PlatformError(.badRequest, "\(field): expected a time like 2026-12-03T09:30 (UTC), got \(text)")
    }
}
