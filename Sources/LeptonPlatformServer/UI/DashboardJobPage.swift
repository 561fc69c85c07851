import Foundation
import LeptonJobs
import LeptonPlatform

/// `/ui/jobs/:id`: one job — its facts, config and inputs, and a live part (training curves as
/// SVG and the log's tail) that the page's script refetches from `/ui/jobs/:id/live` every 2 s
/// until the job has ended.
struct DashboardJobPage {
    let platform: Platform

    /// How much of the log's end the page shows.
    static let logTailBytes = 12 << 10

    /// The page.
    func render(_ job: Job, who: Principal, csrf: String) async throws -> String {
        let model = job.registeredModel.map { DashboardLayout.link("/ui/models/\($0)", job.modelName ?? $0) } ?? HTML.escape(job.modelName ?? "—")
        let inputs = job.inputs.map { input in
            ["<code>\(HTML.escape(input.file))</code>", DashboardLayout.link("/ui/datasets/\(input.dataset)", input.dataset), HTML.escape(input.version)]
        }
        var cancel = ""
        if who.role.includes(.editor) && !job.state.isTerminal {
            cancel = """
            <form method="post" action="/ui/jobs/\(HTML.escape(job.id))/cancel" id="cancel-job">
            <input type="hidden" name="\(DashboardSession.csrfField)" value="\(HTML.escape(csrf))">
            <button type="submit" class="danger">Cancel job</button></form>
            """
        }
        let content = """
        <div class="split even"><section class="card"><dl class="facts">
        <dt>State</dt><dd id="job-state">\(DashboardLayout.badge(job.state))</dd>
        <dt>Submitted</dt><dd>\(HTML.date(job.created)) by <span class="mono">\(HTML.escape(job.submittedBy))</span></dd>
        <dt>Started</dt><dd>\(HTML.date(job.started))</dd><dt>Finished</dt><dd>\(HTML.date(job.finished))</dd>
        <dt>Attempts</dt><dd>\(HTML.escape(job.attempts)) (retries allowed: \(HTML.escape(job.maxRetries)))</dd>
        <dt>CPU slots</dt><dd>\(HTML.escape(job.cpus))</dd>
        <dt>Memory</dt><dd>\(job.memoryMB.map { "\(HTML.escape($0)) MiB reserved" } ?? "none reserved")</dd><dt>Model</dt><dd>\(model)</dd>
        \(job.message.map { "<dt>Message</dt><dd>\(HTML.escape($0))</dd>" } ?? "")
        </dl>\(cancel)</section>
        <section><h2 style="margin-top:0">Inputs</h2>\(DashboardLayout.table(["File", "Dataset", "Version"], inputs, empty: "No inputs."))</section></div>
        <h2>Training curves</h2>
        <div id="live" data-live="/ui/jobs/\(HTML.escape(job.id))/live" data-terminal="\(job.state.isTerminal)">\(live(job))</div>
        <h2>Config</h2><pre class="card mono">\(HTML.escape(job.config))</pre>
        """
        return DashboardLayout.page(title: "Job \(job.id)", active: "/ui/jobs", principal: who, csrf: csrf, content: content)
    }

    /// The live part: the state, the curves and the log's tail.
    func live(_ job: Job) -> String {
        let folder = platform.jobs.jobFolder(job.id)
        let points = TrainingMetricsFile.read(folder.appendingPathComponent(TrainingScript.metricsFileName))
        let charts = TrainingCurveChart.charts(for: points, epochs: Self.plannedEpochs(job.config))
        let epochs = points.filter(\.isEpoch)
        let last = epochs.last.map { point in
            point.values.sorted { $0.key < $1.key }.map { "\(HTML.escape($0.key)) <b>\(HTML.escape(TrainingCurveChart.format($0.value)))</b>" }
                .joined(separator: " · ")
        }
        return """
        <p class="muted" id="curve-status">\(DashboardLayout.badge(job.state)) \(Self.count(points.count, "point")), \(Self.count(epochs.count, "epoch")) done\
        \(last.map { " — last epoch: " + $0 } ?? "")</p>
        <div class="charts">\(charts.map { "<div class=\"chart\">\($0.svg())</div>" }.joined())</div>
        <h2>Log</h2><pre class="log" id="log">\(HTML.escape(logTail(folder)))</pre>
        """
    }

    /// The last ``logTailBytes`` of the job's log, from a line start.
    private func logTail(_ folder: URL) -> String {
        let log = JobLog(folder: folder)
        let size = (try? FileManager.default.attributesOfItem(atPath: log.url.path)[.size] as? Int) ?? 0
        let start = max(0, size - Self.logTailBytes)
        var text = String(decoding: log.read(from: start, limit: Self.logTailBytes), as: UTF8.self)
        if start > 0, let newline = text.firstIndex(of: "\n") { text = "…\n" + text[text.index(after: newline)...] }
        // The progress bar redraws its line with carriage returns: keep each line's last state.
        text = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.split(separator: "\r").last.map(String.init) ?? "" }.joined(separator: "\n")
        return text.isEmpty ? "(no output yet)" : text
    }

    /// `1 point`, `3 points`.
    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    /// The config's `epochs:` (nil when it says none or is not plain).
    static func plannedEpochs(_ config: String) -> Int? {
        for line in config.split(whereSeparator: \.isNewline) where line.hasPrefix("epochs:") {
            return Int(line.dropFirst("epochs:".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
