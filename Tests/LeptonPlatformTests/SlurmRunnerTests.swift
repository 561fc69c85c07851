import Foundation
import LeptonPlatform
import LeptonTestSupport
import Testing

/// The Slurm runner against a real one-node Slurm cluster (slurmctld, slurmd and munged started
/// in a temporary folder by `scripts/slurm.sh`), with shell scripts standing in for `lepton train`:
/// a job succeeds and registers its model, a failing one fails with its exit status, a cancel
/// reaches the Slurm job and its processes; plus the sbatch arguments and the missing-Slurm error.
@Suite("SlurmRunner", .serialized)
struct SlurmRunnerTests {
    /// A queued job of `cpus` CPUs that never went through a platform.
    static func job(cpus: Int = 1, memoryMB: Int? = nil) -> Job {
        Job(id: "job_0123456789abcdef01234567", workspaceID: "ws_1", submittedBy: "key_1", config: JobSchedulerTests.config, inputs: [],
            priority: 0, cpus: cpus, memoryMB: memoryMB, maxRetries: 0, created: Date())
    }

    /// A platform whose jobs run the shell script `body` as batch jobs of `cluster`.
    static func platform(_ name: String, script body: String, cluster: SlurmCluster) async throws -> (Platform, Principal, SlurmRunner) {
        let folder = PlatformFixtures.folder(name)
        let (_, admin) = try await Platform.initialize(dataFolder: folder)
        let script = folder.appendingPathComponent("trainer.sh")
        try "#!/bin/sh\n\(body)\n".write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let runner = SlurmRunner(command: [script.path], configuration: cluster.configuration)
        let platform = try Platform(dataFolder: folder, runner: runner, slots: 2)
        return (platform, Principal(keyID: admin.key.id, workspaceID: admin.key.workspaceID, role: .admin), runner)
    }

    @Test("sbatch is asked for the job's name, folder, CPUs, partition, log and environment, then its script")
    func sbatchArguments() throws {
        let job = Self.job(cpus: 2), folder = URL(fileURLWithPath: "/data/jobs/\(job.id)")
        let arguments = try SlurmRunner(command: ["lepton", "train"], partition: "cpu").sbatchArguments(for: job, folder: folder)
        #expect(arguments == [
            "--parsable", "--job-name", "lepton-\(job.id)", "--chdir", folder.path, "--cpus-per-task", "2", "--ntasks", "1",
            "--partition", "cpu", "--output", "\(folder.path)/log.txt", "--open-mode", "append",
            "--export=ALL,LEPTON_DATA_DIR=\(folder.path)/data,LEPTON_JOB_ID=\(job.id)", "\(folder.path)/slurm-job.sh",
        ])
        #expect(try SlurmRunner(command: ["lepton"]).sbatchArguments(for: job, folder: folder).contains("--partition") == false)
        #expect(arguments.contains("--mem") == false)
        // A memory reservation is asked of Slurm too.
        let reserving = try SlurmRunner(command: ["lepton"]).sbatchArguments(for: Self.job(memoryMB: 512), folder: folder)
        #expect(reserving.firstIndex(of: "--mem").map { reserving[$0 + 1] } == "512M")
        let error = #expect(throws: PlatformError.self) { try SlurmRunner(command: ["lepton"]).sbatchArguments(for: job, folder: URL(fileURLWithPath: "/a,b")) }
        #expect(error?.message.contains("comma") == true)
    }

    @Test("without sbatch the runner says what is missing and how to install it")
    func missingSlurm() throws {
        let runner = SlurmRunner(command: ["lepton", "train"], searchPath: "/nonexistent/bin")
        let folder = PlatformFixtures.folder("slurm-missing")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let start = #expect(throws: PlatformError.self) { try runner.start(Self.job(), folder: folder) }
        #expect(start?.message.contains("`sbatch`") == true && start?.message.contains("scripts/setup.sh") == true, "\(start?.message ?? "")")
        let check = #expect(throws: PlatformError.self) { try runner.check() }
        #expect(check?.message.contains("`sbatch`") == true)
    }

    @Test("jobs go queued → running → succeeded (model registered) or failed (exit status) on a real cluster")
    func succeedsAndFails() async throws {
        let cluster = try SlurmCluster.start()
        defer { cluster.stop() }
        let script = #"""
        echo "args: $* job: $LEPTON_JOB_ID data: $LEPTON_DATA_DIR slurm: $SLURM_JOB_ID"
        sleep 1
        if grep -q fail config.yaml; then echo failing; exit 3; fi
        mkdir -p model && echo '{"layers": []}' > model/model.json
        """#
        let (platform, who, runner) = try await Self.platform("slurm-jobs", script: script, cluster: cluster)
        try runner.check()
        try await platform.jobs.start()
        let good = try await platform.jobs.submit(JobSubmission(config: JobSchedulerTests.config, inputs: [], modelName: "tiny"), principal: who)
        let bad = try await platform.jobs.submit(JobSubmission(config: JobSchedulerTests.config + "\n# fail\n", inputs: []), principal: who)
        #expect(good.state == .queued && bad.state == .queued)
        let running = try await JobSchedulerTests.wait(for: good.id, in: platform, who: who) { $0.state != .queued }
        #expect(running.state == .running && running.pid != nil, "\(running)")

        let done = try await JobSchedulerTests.wait(for: good.id, in: platform, who: who) { $0.state.isTerminal }
        #expect(done.state == .succeeded && done.exitCode == 0 && done.registeredModel?.hasSuffix("version 1") == true, "\(done)")
        let log = String(decoding: JobLog(folder: platform.jobs.jobFolder(good.id)).read(from: 0), as: UTF8.self)
        #expect(log.contains("args: config.yaml --output model --overwrite --threads 1 --metrics-file metrics.jsonl job: \(good.id)"), "\(log)")
        #expect(log.contains("data: \(platform.jobs.jobFolder(good.id).path)/data slurm: \(try #require(running.pid))"), "\(log)")
        let shown = try cluster.run("scontrol", ["show", "job", "\(try #require(running.pid))"])
        #expect(shown.contains("JobName=lepton-\(good.id)") && shown.contains("JobState=COMPLETED"), "\(shown)")

        let failed = try await JobSchedulerTests.wait(for: bad.id, in: platform, who: who) { $0.state.isTerminal }
        #expect(failed.state == .failed && failed.exitCode == 3 && failed.message == "exit status 3", "\(failed)")
        await platform.jobs.stop()
    }

    @Test("cancelling a running job scancels its Slurm job and its processes; a job Slurm does not know is lost")
    func cancel() async throws {
        let cluster = try SlurmCluster.start()
        defer { cluster.stop() }
        let (platform, who, runner) = try await Self.platform("slurm-cancel", script: "echo $$ > trainer.pid; sleep 60", cluster: cluster)
        try await platform.jobs.start()
        let job = try await platform.jobs.submit(JobSubmission(config: JobSchedulerTests.config, inputs: []), principal: who)
        let running = try await JobSchedulerTests.wait(for: job.id, in: platform, who: who) { $0.state == .running }
        let slurmID = try #require(running.pid)
        // Cancel once the trainer really runs on the node.
        let pidFile = platform.jobs.jobFolder(job.id).appendingPathComponent("trainer.pid")
        var trainer: Int32?
        for _ in 0..<200 where trainer == nil {
            trainer = (try? String(contentsOf: pidFile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if trainer == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        if trainer == nil { Issue.record("the trainer never started in Slurm: \((try? cluster.run("scontrol", ["show", "job", "\(slurmID)"])) ?? "")") }
        let pid = try #require(trainer)
        let cancelled = try await platform.jobs.cancel(id: job.id, workspaceID: who.workspaceID)
        #expect(cancelled.state == .cancelled)
        var state = "", alive = true
        for _ in 0..<100 where state != "CANCELLED" || alive {
            try await Task.sleep(for: .milliseconds(100))
            state = try cluster.run("squeue", ["-h", "-t", "all", "-j", "\(slurmID)", "-o", "%T"])
            alive = kill(pid, 0) == 0
        }
        #expect(state == "CANCELLED" && !alive, "Slurm says \(state); trainer alive: \(alive)")
        #expect(runner.status(running, folder: platform.jobs.jobFolder(job.id)) != .running)
        // A Slurm job id the cluster never gave out, in a folder without an exit status.
        var unknown = running
        unknown.pid = 999_999
        let status = runner.status(unknown, folder: platform.dataFolder.appendingPathComponent("no-such-job"))
        guard case .lost(let reason) = status else { Issue.record("expected lost, got \(status)"); return }
        #expect(reason.contains("ended without an exit status"), "\(reason)")
        #expect(try await platform.jobs.get(id: job.id, workspaceID: who.workspaceID).state == .cancelled)
        await platform.jobs.stop()
    }
}
