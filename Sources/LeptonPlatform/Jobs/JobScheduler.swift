import Crypto
import Foundation

/// Queues training jobs and runs them on a fixed number of CPU slots and MiB of memory: the
/// highest priority queued job whose CPUs and memory reservation fit what is free starts first
/// (then the oldest); a failed attempt with
/// retries left is queued again after an exponential backoff; cancelling stops a running
/// attempt. Every state change goes through this actor and is saved at once, so after a crash
/// (`kill -9`) ``start()`` reconciles: attempts still alive are re-adopted, attempts that ended
/// are finished from their exit status, and attempts that vanished count as failed (and retry).
///
/// Each job has a folder `<jobs>/<id>/`: `config.yaml`, `data/` (its decrypted inputs, removed
/// when the job ends), `log.txt`, `exit-status` and the trained `model/`.
public actor JobScheduler {
    private nonisolated let executor = QueueExecutor(queue: DispatchQueue(label: "lepton.platform.jobs"))
    /// The scheduler runs on a queue of its own (it waits on child processes and files).
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    let store: any PlatformStore
    let datasets: DatasetService
    let models: ModelRegistry
    let runner: any JobRunner
    /// The folder holding one folder per job.
    public nonisolated let folder: URL
    /// CPU slots shared by running jobs.
    public nonisolated let slots: Int
    /// Memory in MiB shared by running jobs' reservations.
    public nonisolated let memoryMB: Int
    /// The first retry waits this long; each further one twice as long.
    let backoff: TimeInterval
    /// How often running attempts are polled and the queue looked at.
    let interval: Duration
    /// A finished job's folder (log, exit status, trained model, already in the registry) is
    /// removed this long after it ended; nil keeps folders (the job's record always stays).
    public nonisolated let folderTTL: TimeInterval?
    private var lastSweep = Date.distantPast
    private var running: [String: Job] = [:]
    private var loop: Task<Void, Never>?

    /// Creates a scheduler; nothing runs until ``start()``.
    public init(store: any PlatformStore, datasets: DatasetService, models: ModelRegistry, runner: any JobRunner, folder: URL, slots: Int,
                memoryMB: Int = JobScheduler.machineMemoryMB, backoff: TimeInterval = 2, interval: Duration = .milliseconds(200), folderTTL: TimeInterval? = nil) {
        self.folderTTL = folderTTL
        self.store = store
        self.datasets = datasets
        self.models = models
        self.runner = runner
        self.folder = folder
        self.slots = max(1, slots)
        self.memoryMB = max(1, memoryMB)
        self.backoff = backoff
        self.interval = interval
    }

    /// The machine's physical memory in MiB (the default memory for reservations).
    public static var machineMemoryMB: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory >> 20) }

    /// Reconciles jobs an earlier process left running, then schedules until ``stop()``.
    public func start() async throws {
        for job in try await store.jobs(in: [.running]) { running[job.id] = job }
        try await tick()
        loop = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: self?.interval ?? .seconds(1))
                try? await self?.tick()
            }
        }
    }

    /// Stops scheduling; running attempts keep running (a later ``start()`` re-adopts them).
    public func stop() {
        loop?.cancel()
        loop = nil
    }

    /// Checks and queues a job.
    public func submit(_ submission: JobSubmission, principal: Principal) async throws -> Job {
        try submission.validate(slots: slots, memoryMB: memoryMB)
        for input in submission.inputs {
            let versions = try await datasets.versions(id: input.dataset, workspaceID: principal.workspaceID)
            guard versions.contains(where: { $0.number == input.version }) else {
                throw PlatformError(.badRequest, "inputs: dataset \(input.dataset) has no version \(input.version)")
            }
        }
        var job = Job(id: PlatformID.make("job"), workspaceID: principal.workspaceID, submittedBy: principal.keyID, config: submission.config,
                      inputs: submission.inputs, priority: submission.priority ?? 0, cpus: submission.cpus ?? 1,
                      memoryMB: submission.memoryMB, maxRetries: submission.maxRetries ?? 0, created: Date())
        job.modelName = submission.modelName
        try await store.insertJob(job)
        return job
    }

    /// Job `id` of `workspaceID`.
    /// - Throws: ``PlatformError`` (`notFound`) when the workspace has no such job.
    public nonisolated func get(id: String, workspaceID: String) async throws -> Job {
        guard PlatformID.isValid(id, prefix: "job"), let job = try await store.job(id: id, workspaceID: workspaceID) else {
            throw PlatformError(.notFound, "no job \(id) in this workspace; list them with GET /api/v1/jobs")
        }
        return job
    }

    /// The newest jobs of a workspace.
    public nonisolated func list(workspaceID: String, limit: Int = 100) async throws -> [Job] {
        try await store.jobs(workspaceID: workspaceID, limit: limit)
    }

    /// Cancels a queued or running job (a finished one is returned unchanged).
    public func cancel(id: String, workspaceID: String) async throws -> Job {
        while true {
            var job = try await get(id: id, workspaceID: workspaceID)
            guard !job.state.isTerminal else { return job }
            let previous = job.state
            job.state = .cancelled
            job.finished = Date()
            job.message = "cancelled"
            if try await store.updateJob(job, expecting: previous) {
                if let attempt = running.removeValue(forKey: id) { runner.stop(attempt) }
                cleanUp(job)
                return job
            }
        }
    }

    /// One round: finish attempts that ended, then start queued jobs that fit.
    func tick() async throws {
        try await sweepFinishedFolders()
        for (id, job) in running {
            switch runner.status(job, folder: jobFolder(id)) {
            case .running: continue
            case .exited(let code): try await finish(job, exitCode: code, message: code == 0 ? nil : "exit status \(code)")
            case .lost(let reason): try await finish(job, exitCode: nil, message: reason)
            }
        }
        var free = slots - running.values.reduce(0) { $0 + $1.cpus }
        var freeMemory = memoryMB - running.values.reduce(0) { $0 + ($1.memoryMB ?? 0) }
        let now = Date()
        for job in try await store.jobs(in: [.queued]) where job.cpus <= free && (job.memoryMB ?? 0) <= freeMemory && (job.notBefore ?? now) <= now {
            try await launch(job)
            free -= job.cpus
            freeMemory -= job.memoryMB ?? 0
        }
    }

    private func launch(_ queued: Job) async throws {
        var job = queued
        let folder = jobFolder(job.id)
        do {
            try prepare(job, folder: folder)
            try await materialize(job, into: folder.appendingPathComponent("data"))
            job.attempts += 1
            try appendLog("attempt \(job.attempts) of \(job.maxRetries + 1) started \(ISO8601DateFormatter().string(from: Date()))\n", to: folder)
            job.pid = try runner.start(job, folder: folder)
            job.state = .running
            job.started = Date()
            job.exitCode = nil
            running[job.id] = job
            let saved = try await store.updateJob(job, expecting: .queued)
            if !saved {  // cancelled meanwhile
                running[job.id] = nil
                runner.stop(job)
                cleanUp(job)
            }
        } catch {
            running[job.id] = nil
            job.state = .failed
            job.finished = Date()
            job.message = "could not start: \(error)"
            _ = try await store.updateJob(job, expecting: .queued)
            cleanUp(job)
        }
    }

    private func finish(_ attempt: Job, exitCode: Int?, message: String?) async throws {
        running[attempt.id] = nil
        guard var job = try await store.job(id: attempt.id, workspaceID: nil), job.state == .running else { return }
        job.exitCode = exitCode
        job.pid = nil
        job.message = message
        if exitCode == 0 {
            job.state = .succeeded
            job.registeredModel = await register(job)
        } else if job.attempts <= job.maxRetries {
            job.state = .queued
            job.notBefore = Date().addingTimeInterval(backoff * pow(2, Double(job.attempts - 1)))
        } else {
            job.state = .failed
        }
        if job.state.isTerminal { job.finished = Date() }
        try? appendLog("attempt \(job.attempts) ended: \(message ?? "succeeded")\n", to: jobFolder(job.id))
        if try await store.updateJob(job, expecting: .running), job.state.isTerminal { cleanUp(job) }
    }

    /// Registers the job's trained model; a failure is noted in the job, not fatal to it.
    private func register(_ job: Job) async -> String? {
        let lineage = ModelLineage(jobID: job.id, inputs: job.inputs, configSHA256: KeySecret.hex(SHA256.hash(data: Data(job.config.utf8))))
        do {
            let (model, version) = try await models.register(modelFolder: jobFolder(job.id).appendingPathComponent("model"),
                                                             name: job.modelName ?? job.id, workspaceID: job.workspaceID, lineage: lineage)
            return "\(model.id) version \(version.number)"
        } catch {
            try? appendLog("model registration failed: \(error)\n", to: jobFolder(job.id))
            return nil
        }
    }

    /// At most once a second: removes the folders of jobs that ended more than ``folderTTL`` ago.
    private func sweepFinishedFolders() async throws {
        guard let folderTTL, Date().timeIntervalSince(lastSweep) >= 1 else { return }
        lastSweep = Date()
        for job in try await store.jobs(in: [.succeeded, .failed, .cancelled])
        where (job.finished.map { Date().timeIntervalSince($0) > folderTTL } ?? false) && FileManager.default.fileExists(atPath: jobFolder(job.id).path) {
            try? FileManager.default.removeItem(at: jobFolder(job.id))
        }
    }

    /// Writes the job's folder and config (the config's `output` is the runner's `--output model`).
    private func prepare(_ job: Job, folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try job.config.write(to: folder.appendingPathComponent("config.yaml"), atomically: true, encoding: .utf8)
    }

    /// Decrypts the job's inputs into its data folder.
    private func materialize(_ job: Job, into data: URL) async throws {
        for input in job.inputs {
            let target = data.appendingPathComponent(input.file)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            let (_, reader) = try await datasets.open(id: input.dataset, version: input.version, workspaceID: job.workspaceID)
            guard FileManager.default.createFile(atPath: target.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw PlatformError(.internalError, "cannot write \(target.path)")
            }
            let handle = try FileHandle(forWritingTo: target)
            defer { try? handle.close() }
            while let chunk = try reader.next() { try handle.write(contentsOf: chunk) }
        }
    }

    private func appendLog(_ line: String, to folder: URL) throws {
        let url = folder.appendingPathComponent("log.txt")
        if !FileManager.default.fileExists(atPath: url.path) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(line.utf8))
    }

    /// Removes a finished job's decrypted inputs (plaintext lives on disk only while it runs).
    private func cleanUp(_ job: Job) {
        try? FileManager.default.removeItem(at: jobFolder(job.id).appendingPathComponent("data"))
    }

    /// The folder of job `id`.
    public nonisolated func jobFolder(_ id: String) -> URL { folder.appendingPathComponent(id) }
}
