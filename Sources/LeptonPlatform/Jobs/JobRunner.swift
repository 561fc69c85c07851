import Foundation

/// How a job attempt looks from outside.
public enum AttemptStatus: Sendable, Equatable {
    /// Its process is alive.
    case running
    /// It ended with this exit status.
    case exited(Int)
    /// It is gone without an exit status; the reason says where it went, as the runner knows it.
    case lost(String)
}

/// Runs job attempts somewhere: ``LocalProcessRunner`` (child processes of the platform) or
/// ``SlurmRunner`` (batch jobs of a Slurm cluster). Attempts are observed by polling, so a
/// restarted platform can re-adopt attempts an earlier process started.
public protocol JobRunner: Sendable {
    /// Starts an attempt of `job` in `folder` (which holds `config.yaml` and `data/`).
    /// - Returns: the attempt's id, stored in ``Job/pid`` (a process id, or a Slurm job id).
    func start(_ job: Job, folder: URL) throws -> Int
    /// The state of `job`'s current attempt.
    func status(_ job: Job, folder: URL) -> AttemptStatus
    /// Asks `job`'s attempt to stop (SIGTERM to its process group, or `scancel`).
    func stop(_ job: Job)
}

/// Runs each attempt as a child process in its own session: `/bin/sh` writes its pid to
/// `attempt.pid` and runs the ``TrainingScript`` (output appended to `log.txt`, exit status
/// written to `exit-status`, so the status survives the platform process).
///
/// ```swift
/// let runner = LocalProcessRunner(command: ["/usr/local/bin/lepton", "train"])
/// ```
public struct LocalProcessRunner: JobRunner {
    /// What each attempt runs.
    public let script: TrainingScript
    /// The program and arguments before `config.yaml --output model --overwrite`.
    public var command: [String] { script.command }

    /// A runner whose attempts run `command config.yaml --output model --overwrite --threads CPUS
    /// --metrics-file metrics.jsonl` (``TrainingScript``).
    public init(command: [String]) { script = TrainingScript(command: command) }

    public func start(_ job: Job, folder: URL) throws -> Int {
        let pidFile = folder.appendingPathComponent("attempt.pid")
        TrainingScript.clearExitStatus(in: folder)
        try? FileManager.default.removeItem(at: pidFile)
        // setsid forks when its caller leads a process group, so the shell reports its own pid.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        process.arguments = ["/bin/sh", "-c", "echo $$ > attempt.pid; " + script.body(for: job)]
        process.currentDirectoryURL = folder
        process.environment = ProcessInfo.processInfo.environment.merging(TrainingScript.environment(for: job, folder: folder)) { $1 }
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
        if let code = TrainingScript.exitStatus(in: folder) { return .exited(code) }
        return alive ? .running : .lost("the attempt's process vanished (platform or machine restarted)")
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
}
