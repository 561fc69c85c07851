import Foundation
import LeptonPlatform

/// `/ui/jobs`: the workspace's jobs with their state, and the form that submits one (a training
/// YAML, and inputs `FILE = DATASET[@VERSION]` that put dataset versions into the job's data folder).
struct DashboardJobsPage {
    let platform: Platform

    /// What the submit form held (shown again, with the error, when it was refused).
    struct Draft {
        var config = DashboardJobsPage.exampleConfig
        var inputs = ""
        var modelName = ""
        var cpus = "1"
    }

    /// The config the form starts with: a small MLP on MNIST that trains in seconds.
    static let exampleConfig = """
    dataset: {name: mnist, train_limit: 2000, test_limit: 500}
    model:
      input_shape: [28, 28, 1]
      layers:
        - {type: Flatten}
        - {type: Dense, units: 64, activation: relu}
        - {type: Dense, units: 10, activation: softmax}
    optimizer: {name: adam, learning_rate: 0.001}
    loss: sparse_categorical_crossentropy
    metrics: [accuracy]
    epochs: 5
    batch_size: 32
    validation_split: 0.1
    """

    /// The page.
    func render(_ who: Principal, csrf: String, draft: Draft = Draft(), error: String? = nil) async throws -> String {
        let jobs = try await platform.jobs.list(workspaceID: who.workspaceID)
        let rows = jobs.map { job in
            [DashboardLayout.link("/ui/jobs/\(job.id)", job.id), DashboardLayout.badge(job.state),
             HTML.escape(job.modelName ?? "—"), HTML.date(job.created), HTML.date(job.finished), HTML.escape(job.attempts)]
        }
        var content = DashboardLayout.table(["Job", "State", "Model name", "Submitted", "Finished", "Attempts"], rows,
                                            empty: "No jobs yet.", id: "jobs")
        if who.role.includes(.editor) {
            content += try await form(who, csrf: csrf, draft: draft, error: error)
        }
        return DashboardLayout.page(title: "Jobs", active: "/ui/jobs", principal: who, csrf: csrf, content: content)
    }

    private func form(_ who: Principal, csrf: String, draft: Draft, error: String?) async throws -> String {
        let datasets = try await platform.datasets.list(workspaceID: who.workspaceID)
        let known = datasets.isEmpty ? "none yet — push some with <code>lepton dataset push</code>"
            : datasets.map { "<code>\(HTML.escape($0.name))</code>" }.joined(separator: ", ")
        return """
        <h2>Submit a job</h2><form method="post" action="/ui/jobs" class="card" id="submit-job">
        \(DashboardLayout.error(error))
        <input type="hidden" name="\(DashboardSession.csrfField)" value="\(HTML.escape(csrf))">
        <div class="split"><div class="stack">
        <label for="config">Training config <small>(YAML, as for <code>lepton train</code>)</small></label>
        <textarea id="config" name="config" rows="15" spellcheck="false">\(HTML.escape(draft.config))</textarea></div>
        <div class="stack">
        <label for="inputs">Inputs <small>one per line: <code>FILE = DATASET[@VERSION]</code> (newest version unless @N)</small></label>
        <textarea id="inputs" name="inputs" rows="5" spellcheck="false" placeholder="mnist/train-images-idx3-ubyte.gz = train-images-idx3-ubyte.gz">\(HTML.escape(draft.inputs))</textarea>
        <p class="muted" style="margin:0">Datasets: \(known)</p>
        <div class="row"><div><label for="model_name">Register the model as <small>(optional)</small></label>
        <input type="text" id="model_name" name="model_name" value="\(HTML.escape(draft.modelName))"></div>
        <div><label for="cpus">CPU slots</label><input type="number" id="cpus" name="cpus" min="1" value="\(HTML.escape(draft.cpus))"></div></div>
        <div><button type="submit" class="primary">Submit job</button></div>
        </div></div></form>
        """
    }

    /// Reads the submit form into a submission, resolving each dataset by id or name (its newest
    /// version unless `@N` names one).
    /// - Throws: ``PlatformError`` (`badRequest`) naming the line or field that is wrong.
    func submission(from form: DashboardForm, workspaceID: String) async throws -> JobSubmission {
        guard let config = form.trimmed("config") else { throw PlatformError(.badRequest, "the training config is empty") }
        var cpus: Int?
        if let text = form.trimmed("cpus") {
            guard let value = Int(text), value >= 1 else { throw PlatformError(.badRequest, "CPU slots: expected a positive integer, got \(text)") }
            cpus = value
        }
        let datasets = try await platform.datasets.list(workspaceID: workspaceID)
        var inputs: [JobInput] = []
        for (number, raw) in (form["inputs"] ?? "").split(whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw PlatformError(.badRequest, "inputs line \(number + 1) \"\(line)\": expected FILE = DATASET[@VERSION]")
            }
            var name = parts[1], version: Int?
            if let at = name.lastIndex(of: "@") {
                guard let value = Int(name[name.index(after: at)...]), value >= 1 else {
                    throw PlatformError(.badRequest, "inputs line \(number + 1): the version after @ must be a positive integer")
                }
                version = value
                name = String(name[..<at])
            }
            guard let dataset = datasets.first(where: { $0.id == name || $0.name == name }) else {
                throw PlatformError(.badRequest, "inputs line \(number + 1): no dataset \(name) in this workspace")
            }
            let newest = try await platform.datasets.versions(id: dataset.id, workspaceID: workspaceID).map(\.number).max()
            guard let chosen = version ?? newest else {
                throw PlatformError(.badRequest, "inputs line \(number + 1): dataset \(name) has no versions yet")
            }
            inputs.append(JobInput(file: parts[0], dataset: dataset.id, version: chosen))
        }
        return JobSubmission(config: config.replacingOccurrences(of: "\r\n", with: "\n"), inputs: inputs, cpus: cpus, modelName: form.trimmed("model_name"))
    }

    /// The form's fields, to show them again.
    static func draft(of form: DashboardForm) -> Draft {
        Draft(config: form["config"] ?? "", inputs: form["inputs"] ?? "", modelName: form["model_name"] ?? "", cpus: form["cpus"] ?? "1")
    }
}
