import Foundation

/// The `/bin/sh` script every runner runs for an attempt, from the job's folder: the training
/// command with the job's config, output folder, thread count and metrics file, its output
/// appended to `log.txt`, then its exit status written to `exit-status` (atomically, by rename),
/// so the status outlives both the attempt's process and the platform process.
///
/// ```swift
/// let script = TrainingScript(command: ["/usr/local/bin/lepton", "train"])
/// script.body(for: job)
/// // '/usr/local/bin/lepton' 'train' 'config.yaml' '--output' 'model' … >> log.txt 2>&1; echo $? > exit-status.tmp && …
/// ```
public struct TrainingScript: Sendable, Equatable {
    /// The program and arguments before `config.yaml --output model --overwrite`.
    public let command: [String]

    /// A script that runs `command config.yaml --output model --overwrite --threads CPUS
    /// --metrics-file metrics.jsonl` (a job computes on as many threads as the CPU slots it
    /// holds, and writes its training curve beside its log).
    public init(command: [String]) { self.command = command }

    /// The training curve's file in a job folder (``TrainingMetricsFile``).
    public static let metricsFileName = "metrics.jsonl"
    /// The file in a job folder holding the attempt's exit status once it ended.
    public static let exitStatusFileName = "exit-status"

    /// The training command's words for `job`.
    public func words(for job: Job) -> [String] {
        command + ["config.yaml", "--output", "model", "--overwrite", "--threads", "\(job.cpus)", "--metrics-file", Self.metricsFileName]
    }

    /// The script's text for `job` (run with the job's folder as working directory).
    public func body(for job: Job) -> String {
        "\(words(for: job).map(Self.quote).joined(separator: " ")) >> log.txt 2>&1; "
            + "echo $? > \(Self.exitStatusFileName).tmp && mv \(Self.exitStatusFileName).tmp \(Self.exitStatusFileName)"
    }

    /// The variables the training command finds set: `LEPTON_DATA_DIR` (the job's decrypted
    /// inputs) and `LEPTON_JOB_ID`.
    public static func environment(for job: Job, folder: URL) -> [String: String] {
        ["LEPTON_DATA_DIR": folder.appendingPathComponent("data").path, "LEPTON_JOB_ID": job.id]
    }

    /// Removes an earlier attempt's exit status from `folder` (before a new attempt starts).
    public static func clearExitStatus(in folder: URL) {
        try? FileManager.default.removeItem(at: folder.appendingPathComponent(exitStatusFileName))
    }

    /// The exit status the attempt in `folder` wrote, or nil while it has not ended (or ended without writing one).
    public static func exitStatus(in folder: URL) -> Int? {
        guard let text = try? String(contentsOf: folder.appendingPathComponent(exitStatusFileName), encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// `word` quoted for `/bin/sh`.
    public static func quote(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
