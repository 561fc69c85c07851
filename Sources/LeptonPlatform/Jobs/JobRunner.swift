import Foundation

/// How a job attempt looks from outside.
public enum AttemptStatus: Sendable, Equatable {
    /// Its process is alive.
    case running
    /// It ended with this exit status.
    case exited(Int)
    /// Its process is gone without an exit status (killed with its runner, or the machine restarted).
    case lost
}

/// Runs job attempts somewhere (local child processes today; a cluster scheduler would be
/// another runner). Attempts are observed by polling, so a restarted platform can re-adopt
/// attempts an earlier process started.
public protocol JobRunner: Sendable {
    /// Starts an attempt of `job` in `folder` (which holds `config.yaml` and `data/`).
    /// - Returns: the attempt's process id.
    func start(_ job: Job, folder: URL) throws -> Int
    /// The state of `job`'s current attempt.
    func status(_ job: Job, folder: URL) -> AttemptStatus
    /// Asks `job`'s attempt to stop (SIGTERM to its process group).
    func stop(_ job: Job)
}

/// Runs each attempt as a child process in its own session: `/bin/sh` writes its pid to
/// `attempt.pid`, runs the training command with `LEPTON_DATA_DIR` set to the job's data folder,
/// appends its output to `log.txt` and writes its exit status to `exit-status`, so the status
/// survives the platform process.
///
/// ```swift
/// let runner = LocalProcessRunner(command: ["/usr/local/bin/lepton", "train"])
/// ```
public struct LocalProcessRunner: JobRunner {
    /// The program and arguments before `config.yaml --output model --overwrite`.
    public let command: [String]

    /// A runner that starts `command config.yaml --output model --overwrite --threads CPUS
    /// --metrics-file metrics.jsonl` (a job computes on as many threads as the CPU slots it
    /// holds, and writes its training curve beside its log).
    public init(command: [String]) { self.command = command }

    /// The training curve's file in a job folder (``TrainingMetricsFile``).
    public static let metricsFileName = "metrics.jsonl"

    public func start(_ job: Job, folder: URL) throws -> Int {
        let status = folder.appendingPathComponent("exit-status"), pidFile = folder.appendingPathComponent("attempt.pid")
        try? FileManager.default.removeItem(at: status)
        try? FileManager.default.removeItem(at: pidFile)
        let words = command + ["config.yaml", "--output", "model", "--overwrite", "--threads", "\(job.cpus)", "--metrics-file", Self.metricsFileName]
        // setsid forks when its caller leads a process group, so the shell reports its own pid.
        let script = "echo $$ > attempt.pid; \(words.map(Self.quote).joined(separator: " ")) >> log.txt 2>&1; "
            + "echo $? > exit-status.tmp && mv exit-status.tmp exit-status"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        process.arguments = ["/bin/sh", "-c", script]
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        environment["LEPTON_DATA_DIR"] = folder.appendingPathComponent("data").path
        environment["LEPTON_JOB_ID"] = job.id
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            throw PlatformError(.internalError, "cannot start job \(job.id): \(error)")
        }
        for _ in 0..<1000 {
            if let text = try? String(contentsOf: pidFile, encoding: .utf8), let pid = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return pid
            }
            usleep(10_000)
        }
        throw PlatformError(.internalError, "job \(job.id): its shell did not start within 10 s")
    }

    public func status(_ job: Job, folder: URL) -> AttemptStatus {
        // Liveness first: the status file is written before the process exits, so a process
        // found dead and then no file means it died without writing one.
        let alive = job.pid.map { Self.isAlive($0, jobID: job.id) } ?? false
        if let text = try? String(contentsOf: folder.appendingPathComponent("exit-status"), encoding: .utf8),
           let code = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            return .exited(code)
        }
        return alive ? .running : .lost
    }

    public func stop(_ job: Job) {
        guard let pid = job.pid, Self.isAlive(pid, jobID: job.id) else { return }
        kill(-pid_t(pid), SIGTERM)
    }

    /// Whether `pid` is a live (not zombie) process of this job: its environment names the job,
    /// so a recycled pid is not mistaken for it.
    public static func isAlive(_ pid: Int, jobID: String) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        // The state is the first field after the parenthesised command name.
        guard let close = stat.lastIndex(of: ")"), stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first != "Z" else {
            return false
        }
        guard let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
        return environ.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == "LEPTON_JOB_ID=\(jobID)" }
    }

    /// `word` quoted for `/bin/sh`.
    static func quote(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
