import Foundation

/// Runs each attempt as a batch job of a Slurm cluster: `sbatch` submits `slurm-job.sh` (written
/// to the job's folder), which runs the same ``TrainingScript`` as ``LocalProcessRunner``, so the
/// log, metrics, trained model and `exit-status` land in the job's folder either way.
///
/// ``Job/pid`` holds the attempt's **Slurm job id** (not a process id). ``status(_:folder:)``
/// reads `exit-status` first, then asks `squeue`: a pending or running Slurm job is `.running`; a
/// job Slurm no longer runs (or no longer knows) that wrote no exit status is `.lost`. When Slurm
/// cannot be asked (the controller is down, or does not answer within ``timeout``) the attempt
/// counts as running and is asked again at the next poll, so an unreachable controller fails no
/// job. ``stop(_:)`` runs `scancel`. Both name the job (`lepton-<job id>`), so a Slurm job id
/// reused by a reset cluster is never taken for the platform's job. `sacct` is not used: it needs
/// the accounting database (slurmdbd), and the exit status file says what it would.
///
/// The job's folder and the training command must be at the same paths on the compute node
/// (a one-node cluster, or a shared filesystem). The platform's CPU slots still bound how many
/// CPUs its jobs ask of the cluster at once; Slurm decides where and when they run.
///
/// ```swift
/// let runner = SlurmRunner(command: ["/usr/local/bin/lepton", "train"], partition: "cpu")
/// try runner.check()  // sbatch, squeue, scancel and sinfo are there, and the controller answers
/// let platform = try Platform(dataFolder: folder, runner: runner)
/// ```
public struct SlurmRunner: JobRunner {
    /// What each attempt runs.
    public let script: TrainingScript
    /// The partition jobs are submitted to (nil: the cluster's default partition).
    public let partition: String?
    /// The `slurm.conf` the Slurm commands read (`SLURM_CONF`; nil: their default, or the
    /// platform's own `SLURM_CONF`).
    public let configuration: URL?
    /// The folders searched for `sbatch`, `squeue`, `scancel` and `sinfo`, colon-separated as in `PATH`.
    public let searchPath: String
    /// Seconds a Slurm command may take before it is stopped.
    public let timeout: TimeInterval

    /// The batch script's file in a job folder.
    public static let batchScriptName = "slurm-job.sh"

    /// A runner whose attempts run `command config.yaml --output model --overwrite --threads CPUS
    /// --metrics-file metrics.jsonl` (``TrainingScript``) as Slurm batch jobs.
    /// - Parameters:
    ///   - command: the training program and its first arguments (`lepton train`).
    ///   - partition: the partition to submit to (nil: the default one).
    ///   - configuration: the cluster's `slurm.conf` (nil: `SLURM_CONF` or Slurm's default).
    ///   - searchPath: where the Slurm commands are looked for (default: this process's `PATH`).
    ///   - timeout: seconds a Slurm command may take.
    public init(command: [String], partition: String? = nil, configuration: URL? = nil,
                searchPath: String = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin", timeout: TimeInterval = 30) {
        script = TrainingScript(command: command)
        self.partition = partition
        self.configuration = configuration
        self.searchPath = searchPath
        self.timeout = timeout
    }

    /// The Slurm job name of `job`'s attempts.
    public static func jobName(_ job: Job) -> String { "lepton-\(job.id)" }

    /// The arguments of `sbatch` submitting `job`'s attempt from `folder` (its batch script last).
    /// - Throws: ``PlatformError`` when `folder`'s path holds a comma (`--export` separates variables with commas).
    public func sbatchArguments(for job: Job, folder: URL) throws -> [String] {
        let variables = TrainingScript.environment(for: job, folder: folder).sorted { $0.key < $1.key }
        if let bad = variables.first(where: { $0.value.contains(",") }) {
            throw PlatformError(.badRequest, "\(bad.key) \(bad.value) holds a comma, which sbatch --export cannot pass; use a data folder without commas")
        }
        let memory: [String] = job.memoryMB.map { ["--mem", "\($0)M"] } ?? []
        return ["--parsable", "--job-name", Self.jobName(job), "--chdir", folder.path, "--cpus-per-task", "\(job.cpus)", "--ntasks", "1"]
            + memory
            + (partition.map { ["--partition", $0] } ?? [])
            + ["--output", folder.appendingPathComponent("log.txt").path, "--open-mode", "append",
               "--export=ALL," + variables.map { "\($0.key)=\($0.value)" }.joined(separator: ","),
               folder.appendingPathComponent(Self.batchScriptName).path]
    }

    /// Submits `job`'s attempt with `sbatch`.
    /// - Returns: its Slurm job id.
    /// - Throws: ``PlatformError`` when a Slurm command is missing or sbatch refuses the job.
    public func start(_ job: Job, folder: URL) throws -> Int {
        TrainingScript.clearExitStatus(in: folder)
        let batch = folder.appendingPathComponent(Self.batchScriptName)
        try ("#!/bin/sh\n" + script.body(for: job) + "\n").write(to: batch, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: batch.path)
        let answer = try run("sbatch", sbatchArguments(for: job, folder: folder))
        guard answer.status == 0 else {
            throw PlatformError(.internalError, "job \(job.id): sbatch refused it (exit status \(answer.status)): \(answer.errors)")
        }
        // --parsable prints `ID` or `ID;CLUSTER`.
        guard let first = answer.output.split(separator: ";").first, let id = Int(first.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw PlatformError(.internalError, "job \(job.id): sbatch answered \"\(answer.output)\" where a job id was expected")
        }
        return id
    }

    public func status(_ job: Job, folder: URL) -> AttemptStatus {
        // Slurm first: the script writes its exit status before its Slurm job ends, so a job
        // found ended and then no file means it ended without writing one.
        let state = job.pid.map { slurmState(of: $0, name: Self.jobName(job)) } ?? .ended
        if let code = TrainingScript.exitStatus(in: folder) { return .exited(code) }
        return state == .ended
            ? .lost("Slurm job \(job.pid ?? 0) ended without an exit status (cancelled outside the platform, its node failed, or the cluster forgot it)")
            : .running
    }

    public func stop(_ job: Job) {
        guard let id = job.pid else { return }
        _ = try? run("scancel", ["--name", Self.jobName(job), "\(id)"])
    }

    /// Checks that `sbatch`, `squeue`, `scancel` and `sinfo` are on ``searchPath`` and that the
    /// controller answers and has ``partition``.
    /// - Throws: ``PlatformError`` saying what is missing.
    public func check() throws {
        for tool in ["sbatch", "squeue", "scancel", "sinfo"] { _ = try executable(tool) }
        let answer = try run("sinfo", ["-h", "-o", "%R"])
        guard answer.status == 0 else {
            throw PlatformError(.internalError, "the Slurm controller did not answer sinfo (exit status \(answer.status)): \(answer.errors)")
        }
        let partitions = answer.output.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        if let partition, !partitions.contains(partition) {
            throw PlatformError(.badRequest, "the Slurm cluster has no partition \(partition); it has: \(partitions.joined(separator: ", "))")
        }
    }

    /// Where a Slurm job is, as far as the platform cares.
    private enum SlurmState { case active, ended, unknown }

    /// The states in which a Slurm job has ended (`squeue -t all` shows them for `MinJobAge` seconds).
    private static let endedStates: Set<String> = ["BOOT_FAIL", "CANCELLED", "COMPLETED", "DEADLINE", "FAILED", "NODE_FAIL",
                                                   "OUT_OF_MEMORY", "PREEMPTED", "REVOKED", "SPECIAL_EXIT", "TIMEOUT"]

    /// Asks `squeue` about Slurm job `id` named `name`.
    private func slurmState(of id: Int, name: String) -> SlurmState {
        guard let answer = try? run("squeue", ["-h", "-t", "all", "-j", "\(id)", "--name", name, "-o", "%T"]) else { return .unknown }
        guard answer.status == 0 else { return answer.errors.contains("Invalid job id") ? .ended : .unknown }
        let state = answer.output.trimmingCharacters(in: .whitespacesAndNewlines)
        return state.isEmpty || Self.endedStates.contains(state) ? .ended : .active
    }

    /// What a Slurm command said.
    private struct Answer {
        let status: Int32
        let output: String
        let errors: String
    }

    /// The path of Slurm command `tool` on ``searchPath``.
    private func executable(_ tool: String) throws -> URL {
        for folder in searchPath.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(folder)/\(tool)") {
            return URL(fileURLWithPath: "\(folder)/\(tool)")
        }
        throw PlatformError(.internalError, "the Slurm runner needs `\(tool)`, which is not in \(searchPath): install Slurm's client commands "
            + "(Debian: slurm-client; scripts/setup.sh installs slurm-wlm) or run the platform with --runner local")
    }

    /// Runs Slurm command `tool` with ``configuration`` as `SLURM_CONF`, stopping it after ``timeout`` seconds.
    private func run(_ tool: String, _ arguments: [String]) throws -> Answer {
        let process = Process()
        process.executableURL = try executable(tool)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        if let configuration { environment["SLURM_CONF"] = configuration.path }
        process.environment = environment
        // Files, not pipes: nothing blocks on a full pipe while this waits for the exit.
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-\(tool)-\(UUID().uuidString)")
        let outputFile = base.appendingPathExtension("out"), errorFile = base.appendingPathExtension("err")
        guard FileManager.default.createFile(atPath: outputFile.path, contents: nil), FileManager.default.createFile(atPath: errorFile.path, contents: nil) else {
            throw PlatformError(.internalError, "cannot create \(base.path).out/.err for \(tool)'s output")
        }
        defer {
            try? FileManager.default.removeItem(at: outputFile)
            try? FileManager.default.removeItem(at: errorFile)
        }
        let output = try FileHandle(forWritingTo: outputFile), errors = try FileHandle(forWritingTo: errorFile)
        defer {
            try? output.close()
            try? errors.close()
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = errors
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        do { try process.run() } catch {
            throw PlatformError(.internalError, "cannot run \(tool): \(error)")
        }
        if done.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            if done.wait(timeout: .now() + 5) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                done.wait()
            }
            throw PlatformError(.internalError, "\(tool) did not answer within \(timeout) s (is slurmctld running? SLURM_CONF=\(environment["SLURM_CONF"] ?? "unset"))")
        }
        let read = { (url: URL) in (try? String(contentsOf: url, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "" }
        return Answer(status: process.terminationReason == .exit ? process.terminationStatus : -1, output: read(outputFile), errors: read(errorFile))
    }
}
