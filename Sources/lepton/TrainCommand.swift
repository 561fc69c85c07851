import ArgumentParser
import Foundation
import LeptonDistributed
import LeptonJobs
import LeptonMPI
import LeptonNN
import LeptonTensor

/// `lepton train CONFIG.yaml`: trains the model a config describes, with Keras-style progress,
/// reports test loss and metrics, and saves the model. With `--backup-dir` (or a
/// `BackupAndRestore` callback in the config) a killed run continues where it stopped.
///
/// Started by `mpirun -np N` (or `srun --mpi=pmix`), every process trains its part of each
/// batch and the gradients are averaged (LeptonDistributed's `DataParallel`), or pushed to rank 0
/// with `--strategy parameter-server` (`ParameterServer`); `--workers N` starts `mpirun` itself.
/// The config's batch size is per process.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model from a YAML config (dataset, layers, optimizer, loss, metrics, epochs, callbacks, output).",
        discussion: "Data-parallel over several processes: `mpirun -np N lepton train CONFIG` or `lepton train CONFIG --workers N` (the config's batch_size is per process; rank 0 prints and saves). `--strategy parameter-server [--ps-mode async --staleness S]`: rank 0 holds the weights and applies the gradients the ranks push."
    )

    @Argument(help: "The training config, e.g. examples/mnist-cnn.yaml.")
    var config: String

    @OptionGroup var training: TrainingOutputOptions

    @Option(help: ArgumentHelp("Back training up in this folder after every epoch; started again after an interruption, training continues where it stopped (replaces a BackupAndRestore callback of the config).",
                               valueName: "folder"))
    var backupDir: String?

    @Option(help: "Train data-parallel in N processes on this machine (starts mpirun; each process 1 thread unless --threads says otherwise), 1...256.")
    var workers: Int?

    @Option(help: ArgumentHelp("Data-parallel: megabytes of gradients fused into one all-reduce (default 25).", valueName: "MB"))
    var bucketMb: Double = 25

    @Option(help: ArgumentHelp("Data-parallel: seconds a rank waits in one collective before the job is aborted as dead or hung (default 300).", valueName: "seconds"))
    var rankTimeout: Double = 300

    @Flag(help: "Data-parallel: the config's batch_size is the global batch, split over the ranks (each reads batch_size / N, which must divide); a restart with another number of ranks then keeps the batches, steps and learning-rate schedule.")
    var globalBatch = false

    @Flag(name: .customLong("no-overlap"), help: "Data-parallel: all-reduce the gradients after backward instead of overlapping them with it.")
    var noOverlap = false

    @Option(help: ArgumentHelp("Append the training curve to this file as JSON lines: one per epoch, and the running loss every few batches.", valueName: "file"))
    var metricsFile: String?

    @OptionGroup var distribution: DistributionOptions

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if let workers, !(1...256).contains(workers) {
            throw ValidationError("--workers: expected an integer in 1...256, got \(workers)")
        }
        guard bucketMb.isFinite, bucketMb > 0, bucketMb <= 4096 else {
            throw ValidationError("--bucket-mb: expected a number of megabytes in (0, 4096], got \(bucketMb)")
        }
        guard rankTimeout.isFinite, rankTimeout >= 1 else {
            throw ValidationError("--rank-timeout: expected at least 1 second, got \(rankTimeout)")
        }
    }

    func run() throws {
        if let workers, !Distributed.isLaunchedByMPI() {
            throw ExitCode(try MPILauncher.run(processes: workers, arguments: MPILauncher.argumentsWithoutWorkers()))
        }
        common.apply()
        let communicator = try MPICommunicator.forProcess(timeout: rankTimeout)
        do {
            try train(communicator)
        } catch {
            // Peers of a failed rank would wait for it in their next collective: end them all.
            if communicator.size > 1 { communicator.abort(LeptonCommand.message(for: error)) }
            (communicator as? MPICommunicator)?.finalize()
            throw error
        }
        (communicator as? MPICommunicator)?.finalize()
    }

    private func train(_ communicator: Communicator) throws {
        if distribution.strategy == .parameterServer, communicator.size < 2 {
            _ = try distribution.parameterServer(communicator, fingerprint: 0)   // throws: a parameter server needs 2 ranks
        }
        var options = training.jobOptions(common)
        options.backupDirectory = backupDir
        options.batchEvents = metricsFile != nil
        let loaded = try TrainingConfig.load(config)
        if globalBatch {
            guard loaded.batchSize % communicator.size == 0 else {
                throw ValidationError("--global-batch: batch_size \(loaded.batchSize) of \(config) does not split over \(communicator.size) ranks; expected a multiple of \(communicator.size)")
            }
            options.batchSize = loaded.batchSize / communicator.size
        }
        let job = try TrainingJob(config: loaded, options: options)
        let metrics = try metricsFile.flatMap { communicator.rank == 0 ? try TrainingMetricsWriter(path: $0) : nil }
        if communicator.size > 1 {
            // One thread per rank unless asked otherwise: ranks share the machine's cores.
            if common.threads == nil && ProcessInfo.processInfo.environment["LEPTON_NUM_THREADS"] == nil { Lepton.threadCount = 1 }
            let text = (try? String(contentsOfFile: config, encoding: .utf8)) ?? config
            let settings = "\(text)|epochs:\(training.epochs.map(String.init) ?? "-")|seed:\(common.seed.map(String.init) ?? "-")|global batch:\(globalBatch)"
            if distribution.strategy == .parameterServer {
                let strategy = try distribution.parameterServer(communicator, fingerprint: DataParallel.fingerprint(settings))
                job.distribution = strategy
                try job.run { metrics?.record($0) }
                if communicator.rank == 0 { print(DistributionOptions.report(strategy.statistics, strategy)) }
                return
            }
            let strategy = try DataParallel(communicator: communicator, bucketBytes: Int(bucketMb * 1_048_576), overlap: !noOverlap,
                                            configurationFingerprint: DataParallel.fingerprint(settings))
            job.distribution = strategy
            try job.run { metrics?.record($0) }
            let s = strategy.statistics
            if communicator.rank == 0 {
                print(String(format: "Gradient all-reduce (rank 0): %d calls, %.1f MB, %.2f s in MPI, %.2f s waited before steps (%.0f %% hidden behind backward)",
                             s.allReduces, Double(s.bytes) / 1_048_576, s.allReduceSeconds, s.waitSeconds, s.hiddenFraction * 100))
            }
            return
        }
        try job.run { metrics?.record($0) }
    }
}
