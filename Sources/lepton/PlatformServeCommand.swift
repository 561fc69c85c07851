import ArgumentParser
import Foundation
import LeptonPlatform
import LeptonPlatformServer
import Logging

/// `lepton platform serve --data DIR --port N`: serves the platform API until SIGTERM or SIGINT
/// (in-flight requests finish first); logs are JSON lines on standard error. Training jobs run as
/// child processes (`--runner local`) or as Slurm batch jobs (`--runner slurm [--slurm-partition P]`,
/// the cluster named by `SLURM_CONF` or Slurm's default config; checked at start).
struct PlatformServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the platform API (/api/v1: keys, audit, datasets, jobs) over HTTP and run its job scheduler."
    )

    @OptionGroup var data: PlatformDataOption

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (0: a free port, printed when listening).")
    var port: Int = 8080

    @Option(help: "Write the bound port to this file once listening.")
    var portFile: String?

    @Option(help: "Largest dataset upload in bytes.")
    var maxUploadBytes: Int = Platform.defaultMaxUploadBytes

    @Option(help: "CPU slots shared by running training jobs (default: the machine's cores).")
    var slots: Int?

    @Option(help: "MiB of memory training jobs may reserve together (a job's memory_mb; default: the machine's physical memory).")
    var memoryMb: Int?

    @Option(help: "Remove a finished job's folder (log, trained model already in the registry) this many seconds after it ended (default: keep).")
    var jobTtlSeconds: Double?

    /// Where training jobs run.
    enum Runner: String, ExpressibleByArgument, CaseIterable {
        case local, slurm
    }

    @Option(help: "Where training jobs run: local (child processes of this server) or slurm (batch jobs submitted with sbatch to the cluster SLURM_CONF names).")
    var runner: Runner = .local

    @Option(help: "The Slurm partition jobs are submitted to (with --runner slurm; default: the cluster's default partition).")
    var slurmPartition: String?

    @Option(help: "Log format: json or text.")
    var logFormat: String = "json"

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port: expected an integer in 0...65535, got \(port)") }
        if let slots, !(1...4096).contains(slots) { throw ValidationError("--slots: expected an integer in 1...4096, got \(slots)") }
        if let memoryMb, !(1...(1 << 30)).contains(memoryMb) { throw ValidationError("--memory-mb: expected an integer in 1...\(1 << 30), got \(memoryMb)") }
        if let jobTtlSeconds, !(jobTtlSeconds >= 0) { throw ValidationError("--job-ttl-seconds: expected a number of seconds ≥ 0, got \(jobTtlSeconds)") }
        guard maxUploadBytes > 0 else { throw ValidationError("--max-upload-bytes: expected a positive number of bytes, got \(maxUploadBytes)") }
        guard logFormat == "text" || logFormat == "json" else { throw ValidationError("--log-format: expected text or json, got \(logFormat)") }
        if let slurmPartition {
            guard runner == .slurm else { throw ValidationError("--slurm-partition: only with --runner slurm (the runner is \(runner.rawValue))") }
            guard !slurmPartition.isEmpty, slurmPartition.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
                throw ValidationError("--slurm-partition: expected a partition name (letters, digits, - _ .), got \"\(slurmPartition)\"")
            }
        }
    }

    /// The job runner `--runner` names; a Slurm runner is checked first (its commands are there,
    /// the controller answers, the partition exists).
    func jobRunner() throws -> any JobRunner {
        let command = [Platform.currentExecutable, "train"]
        switch runner {
        case .local:
            return LocalProcessRunner(command: command)
        case .slurm:
            let slurm = SlurmRunner(command: command, partition: slurmPartition)
            do { try slurm.check() } catch let error as PlatformError { throw ValidationError("--runner slurm: \(error.message)") }
            return slurm
        }
    }

    func run() async throws {
        // First, before any task runs: handlers then run on their connections' event loops.
        PlatformServer.runConcurrencyOnEventLoops()
        let platform = try Platform(dataFolder: data.url, database: data.database, maxUploadBytes: maxUploadBytes, runner: jobRunner(), slots: slots,
                                    memoryMB: memoryMb, jobFolderTTL: jobTtlSeconds)
        common.bootstrapLogging(json: logFormat == "json")
        let server = PlatformServer(platform: platform, host: host, port: port)
        let host = self.host, portFile = self.portFile
        try await server.run { port in
            print("Lepton platform listening on http://\(host):\(port)")
            fflush(stdout)
            if let portFile { try? String(port).write(toFile: portFile, atomically: true, encoding: .utf8) }
        }
    }
}
