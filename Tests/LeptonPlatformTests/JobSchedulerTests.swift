import Foundation
import LeptonPlatform
import Testing

/// The scheduler with shell scripts standing in for `lepton train` (the real command runs in
/// the CLI tests): states, logs, inputs, retries, priorities on few slots, cancel, and
/// reconciling after the platform process goes away.
@Suite("JobScheduler", .serialized)
struct JobSchedulerTests {
    static let config = """
    dataset: {name: mnist}
    model: {input_shape: [28, 28, 1], layers: [{type: Flatten}, {type: Dense, units: 10, activation: softmax}]}
    loss: sparse_categorical_crossentropy
    """

    /// A platform whose jobs run the shell script `body`.
    static func platform(_ name: String, script body: String, slots: Int = 2) async throws -> (Platform, Principal) {
        let folder = PlatformFixtures.folder(name)
        let (_, admin) = try await Platform.initialize(dataFolder: folder)
        let script = folder.appendingPathComponent("trainer.sh")
        try "#!/bin/sh\n\(body)\n".write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let platform = try Platform(dataFolder: folder, runner: LocalProcessRunner(command: [script.path]), slots: slots)
        return (platform, Principal(keyID: admin.key.id, workspaceID: admin.key.workspaceID, role: .admin))
    }

    /// Waits (up to 20 s) until job `id` satisfies `condition`.
    static func wait(for id: String, in platform: Platform, who: Principal, _ condition: (Job) -> Bool) async throws -> Job {
        for _ in 0..<200 {
            let job = try await platform.jobs.get(id: id, workspaceID: who.workspaceID)
            if condition(job) { return job }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await platform.jobs.get(id: id, workspaceID: who.workspaceID)
    }

    @Test("a job reads its inputs, logs, succeeds, and its decrypted inputs are removed")
    func succeeds() async throws {
        let (platform, who) = try await Self.platform("jobs-ok", script: #"cat "$LEPTON_DATA_DIR/table/rows.csv"; echo "args: $*""#)
        let dataset = try await platform.datasets.create(name: "table", workspaceID: who.workspaceID)
        _ = try await PlatformFixtures.upload(Array("a,b\n1,2\n".utf8), to: dataset.id, in: platform, workspaceID: who.workspaceID)
        try await platform.jobs.start()
        let job = try await platform.jobs.submit(JobSubmission(config: Self.config, inputs: [JobInput(file: "table/rows.csv", dataset: dataset.id, version: 1)]),
                                                 principal: who)
        #expect(job.state == .queued)
        let done = try await Self.wait(for: job.id, in: platform, who: who) { $0.state.isTerminal }
        #expect(done.state == .succeeded && done.exitCode == 0 && done.attempts == 1, "\(done)")
        let log = String(decoding: JobLog(folder: platform.jobs.jobFolder(job.id)).read(from: 0), as: UTF8.self)
        #expect(log.contains("a,b\n1,2") && log.contains("args: config.yaml --output model --overwrite --threads 1"), "\(log)")
        #expect(!FileManager.default.fileExists(atPath: platform.jobs.jobFolder(job.id).appendingPathComponent("data").path))
        await platform.jobs.stop()
    }

    @Test("a succeeded job's model is registered as a version with its lineage")
    func registersModel() async throws {
        let (platform, who) = try await Self.platform("jobs-model", script: #"mkdir -p model && echo '{"layers": []}' > model/model.json"#)
        try await platform.jobs.start()
        let submission = JobSubmission(config: Self.config, inputs: [], modelName: "tiny")
        let first = try await platform.jobs.submit(submission, principal: who)
        let done = try await Self.wait(for: first.id, in: platform, who: who) { $0.state.isTerminal }
        #expect(done.state == .succeeded && done.registeredModel?.hasSuffix("version 1") == true, "\(done)")
        let second = try await platform.jobs.submit(submission, principal: who)
        _ = try await Self.wait(for: second.id, in: platform, who: who) { $0.state.isTerminal }
        let versions = try await platform.models.versions("tiny", workspaceID: who.workspaceID)
        #expect(versions.map(\.number) == [1, 2] && versions.map(\.lineage.jobID) == [first.id, second.id])
        #expect(versions[0].lineage.configSHA256?.count == 64)
        await platform.jobs.stop()
    }

    @Test("a finished job's folder is removed after its TTL; its record and registered model stay")
    func folderTTL() async throws {
        let (platform, who) = try await Self.platform("jobs-ttl", script: #"mkdir -p model && echo '{"layers": []}' > model/model.json"#)
        let scheduler = JobScheduler(store: platform.store, datasets: platform.datasets, models: platform.models,
                                     runner: LocalProcessRunner(command: [platform.dataFolder.appendingPathComponent("trainer.sh").path]),
                                     folder: platform.jobs.folder, slots: 1, interval: .milliseconds(50), folderTTL: 0.5)
        try await scheduler.start()
        let job = try await scheduler.submit(JobSubmission(config: Self.config, inputs: [], modelName: "kept"), principal: who)
        let done = try await Self.wait(for: job.id, in: platform, who: who) { $0.state.isTerminal }
        #expect(done.state == .succeeded)
        var removed = false
        for _ in 0..<60 where !removed {
            try await Task.sleep(for: .milliseconds(100))
            removed = !FileManager.default.fileExists(atPath: scheduler.jobFolder(job.id).path)
        }
        #expect(removed)
        #expect(try await platform.jobs.get(id: job.id, workspaceID: who.workspaceID).state == .succeeded)
        #expect(try await platform.models.versions("kept", workspaceID: who.workspaceID).count == 1)
        await scheduler.stop()
    }

    @Test("bad submissions are refused with the field named")
    func refusals() async throws {
        let (platform, who) = try await Self.platform("jobs-bad", script: "exit 0")
        let cases: [(JobSubmission, String)] = [
            (JobSubmission(config: "model: 3", inputs: []), "config"),
            (JobSubmission(config: Self.config, inputs: [], cpus: 3), "cpus"),
            (JobSubmission(config: Self.config, inputs: [], memoryMB: 0), "memory_mb"),
            (JobSubmission(config: Self.config, inputs: [], memoryMB: platform.jobs.memoryMB + 1), "memory_mb"),
            (JobSubmission(config: Self.config, inputs: [], maxRetries: 11), "max_retries"),
            (JobSubmission(config: Self.config, inputs: [JobInput(file: "../x", dataset: "ds_000000000000000000000000", version: 1)]), "inputs"),
            (JobSubmission(config: Self.config, inputs: [JobInput(file: "x", dataset: "ds_000000000000000000000000", version: 1)]), "no dataset"),
        ]
        for (submission, word) in cases {
            let error = await #expect(throws: PlatformError.self) { try await platform.jobs.submit(submission, principal: who) }
            #expect(error?.message.contains(word) == true, "\(error?.message ?? "")")
        }
    }

    @Test("a failing job is retried with backoff, then fails with its exit status")
    func retries() async throws {
        let (platform, who) = try await Self.platform("jobs-retry", script: "echo failing; exit 3")
        let scheduler = JobScheduler(store: platform.store, datasets: platform.datasets, models: platform.models, runner: LocalProcessRunner(command: [
            platform.dataFolder.appendingPathComponent("trainer.sh").path,
        ]), folder: platform.jobs.folder, slots: 1, backoff: 0.2, interval: .milliseconds(50))
        try await scheduler.start()
        let job = try await scheduler.submit(JobSubmission(config: Self.config, inputs: [], maxRetries: 2), principal: who)
        let done = try await Self.wait(for: job.id, in: platform, who: who) { $0.state.isTerminal }
        #expect(done.state == .failed && done.attempts == 3 && done.exitCode == 3, "\(done)")
        let log = String(decoding: JobLog(folder: scheduler.jobFolder(job.id)).read(from: 0), as: UTF8.self)
        #expect(log.components(separatedBy: "failing").count == 4, "\(log)")
        await scheduler.stop()
    }

    @Test("memory reservations: two jobs that together need more than the scheduler's memory run one after the other, free CPUs or not")
    func memoryReservations() async throws {
        let (platform, who) = try await Self.platform("jobs-memory", script: "sleep 0.6", slots: 4)
        let scheduler = JobScheduler(store: platform.store, datasets: platform.datasets, models: platform.models, runner: LocalProcessRunner(command: [
            platform.dataFolder.appendingPathComponent("trainer.sh").path,
        ]), folder: platform.jobs.folder, slots: 4, memoryMB: 1000, interval: .milliseconds(50))
        try await scheduler.start()
        let first = try await scheduler.submit(JobSubmission(config: Self.config, inputs: [], memoryMB: 600), principal: who)
        let second = try await scheduler.submit(JobSubmission(config: Self.config, inputs: [], memoryMB: 600), principal: who)
        let light = try await scheduler.submit(JobSubmission(config: Self.config, inputs: [], memoryMB: 300), principal: who)
        var jobs: [Job] = []
        for id in [first.id, second.id, light.id] {
            jobs.append(try await Self.wait(for: id, in: platform, who: who) { $0.state.isTerminal })
        }
        #expect(jobs.allSatisfy { $0.state == .succeeded }, "\(jobs.map(\.state))")
        let (a, b, c) = (jobs[0], jobs[1], jobs[2])
        // 600 + 600 > 1000: the second starts only after the first ended; 600 + 300 fit together.
        #expect(try #require(b.started) >= #require(a.finished))
        #expect(try #require(c.started) < #require(a.finished))
        #expect(a.memoryMB == 600)
        await #expect(throws: PlatformError.self) {
            try await scheduler.submit(JobSubmission(config: Self.config, inputs: [], memoryMB: 1001), principal: who)
        }
        await scheduler.stop()
    }

    @Test("a submission in the API's snake-case JSON carries every field, memory_mb included")
    func submissionFromAPIJSON() throws {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let json = #"{"config": "c", "inputs": [], "priority": 2, "cpus": 3, "memory_mb": 2048, "max_retries": 1, "model_name": "m"}"#
        let submission = try decoder.decode(JobSubmission.self, from: Data(json.utf8))
        #expect(submission.memoryMB == 2048 && submission.cpus == 3 && submission.priority == 2 && submission.maxRetries == 1 && submission.modelName == "m")
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        #expect(String(decoding: try encoder.encode(submission), as: UTF8.self).contains(#""memory_mb":2048"#))
    }

    @Test("with one slot the higher priority job runs first; a running job can be cancelled")
    func prioritiesAndCancel() async throws {
        let (platform, who) = try await Self.platform("jobs-priority", script: "sleep \"$(cat \"$LEPTON_DATA_DIR/seconds\")\"", slots: 1)
        let seconds = try await platform.datasets.create(name: "seconds", workspaceID: who.workspaceID)
        _ = try await PlatformFixtures.upload(Array("30\n".utf8), to: seconds.id, in: platform, workspaceID: who.workspaceID)
        _ = try await PlatformFixtures.upload(Array("0.3\n".utf8), to: seconds.id, in: platform, workspaceID: who.workspaceID)
        func submit(_ version: Int, priority: Int) async throws -> Job {
            try await platform.jobs.submit(JobSubmission(config: Self.config, inputs: [JobInput(file: "seconds", dataset: seconds.id, version: version)],
                                                         priority: priority), principal: who)
        }
        try await platform.jobs.start()
        let blocker = try await submit(1, priority: 0)
        let running = try await Self.wait(for: blocker.id, in: platform, who: who) { $0.state == .running }
        #expect(running.state == .running && running.pid != nil)
        let low = try await submit(2, priority: 1)
        let high = try await submit(2, priority: 5)
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await platform.jobs.get(id: low.id, workspaceID: who.workspaceID).state == .queued)
        let cancelled = try await platform.jobs.cancel(id: blocker.id, workspaceID: who.workspaceID)
        #expect(cancelled.state == .cancelled)
        let highDone = try await Self.wait(for: high.id, in: platform, who: who) { $0.state.isTerminal }
        let lowDone = try await Self.wait(for: low.id, in: platform, who: who) { $0.state.isTerminal }
        #expect(highDone.state == .succeeded && lowDone.state == .succeeded)
        #expect(try #require(highDone.started) < #require(lowDone.started))
        // The cancelled attempt's process group is gone.
        try await Task.sleep(for: .milliseconds(300))
        #expect(!LocalProcessRunner.isAlive(try #require(running.pid), jobID: blocker.id))
        #expect(try await platform.jobs.get(id: blocker.id, workspaceID: who.workspaceID).state == .cancelled)
        await platform.jobs.stop()
    }

    @Test("after the platform goes away a new one re-adopts live attempts and fails vanished ones")
    func reconcile() async throws {
        let (first, who) = try await Self.platform("jobs-reconcile", script: "sleep \"$(cat \"$LEPTON_DATA_DIR/seconds\")\"; echo slept")
        let seconds = try await first.datasets.create(name: "seconds", workspaceID: who.workspaceID)
        _ = try await PlatformFixtures.upload(Array("1.5\n".utf8), to: seconds.id, in: first, workspaceID: who.workspaceID)
        _ = try await PlatformFixtures.upload(Array("60\n".utf8), to: seconds.id, in: first, workspaceID: who.workspaceID)
        try await first.jobs.start()
        let survivor = try await first.jobs.submit(JobSubmission(config: Self.config, inputs: [JobInput(file: "seconds", dataset: seconds.id, version: 1)]),
                                                   principal: who)
        let victim = try await first.jobs.submit(JobSubmission(config: Self.config, inputs: [JobInput(file: "seconds", dataset: seconds.id, version: 2)]),
                                                 principal: who)
        let victimRunning = try await Self.wait(for: victim.id, in: first, who: who) { $0.state == .running }
        _ = try await Self.wait(for: survivor.id, in: first, who: who) { $0.state == .running }
        // The platform "crashes": its scheduler stops watching; the victim's process dies with the machine.
        await first.jobs.stop()
        kill(-pid_t(try #require(victimRunning.pid)), SIGKILL)
        let script = first.dataFolder.appendingPathComponent("trainer.sh").path
        let second = try Platform(dataFolder: first.dataFolder, runner: LocalProcessRunner(command: [script]), slots: 2)
        try await second.jobs.start()
        let survived = try await Self.wait(for: survivor.id, in: second, who: who) { $0.state.isTerminal }
        #expect(survived.state == .succeeded && survived.attempts == 1, "\(survived)")
        let lost = try await Self.wait(for: victim.id, in: second, who: who) { $0.state.isTerminal }
        #expect(lost.state == .failed && lost.message?.contains("vanished") == true, "\(lost)")
        await second.jobs.stop()
    }
}
