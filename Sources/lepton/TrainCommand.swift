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
/// The config's `distributed:` section sets the same (`workers: 2` starts `mpirun` too); the
/// flags override it. The config's batch size is per process.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model from a YAML config (dataset, layers, optimizer, loss, metrics, epochs, callbacks, output).",
        discussion: "Data-parallel over several processes: `mpirun -np N lepton train CONFIG` or `lepton train CONFIG --workers N` (the config's batch_size is per process; rank 0 prints and saves). `--strategy parameter-server [--ps-mode async --staleness S] [--dedicated-server]`: rank 0 holds the weights and applies the gradients the ranks push. The config's `distributed:` section takes the same settings (`distributed: {workers: 2, strategy: parameter-server, ps_mode: async}`); flags override it."
    )

    @Argument(help: "The training config, e.g. examples/mnist-cnn.yaml.")
    var config: String

    @OptionGroup var training: TrainingOutputOptions

    @Option(help: ArgumentHelp("Back training up in this folder after every epoch; started again after an interruption, training continues where it stopped (replaces a BackupAndRestore callback of the config).",
                               valueName: "folder"))
    var backupDir: String?

    @Option(help: ArgumentHelp("Append the training curve to this file as JSON lines: one per epoch, and the running loss every few batches.", valueName: "file"))
    var metricsFile: String?

    @OptionGroup var distribution: DistributionOptions

    @OptionGroup var common: CommonOptions

    func run() throws {
        // Read first: the config's `distributed:` section may ask for workers.
        let loaded = try TrainingConfig.load(config)
        let settings = (loaded.distributed ?? DistributionSettings()).overridden(by: distribution.settings)
        try settings.validate(file: config)
        if let workers = settings.workers, !Distributed.isLaunchedByMPI() {
            let name = settings.fromFlags.contains(.workers) ? settings.name(.workers) : "\(config): \(settings.name(.workers))"
            throw ExitCode(try MPILauncher.run(processes: workers, arguments: MPILauncher.argumentsWithoutWorkers(), setting: name))
        }
        common.apply()
        let communicator = try MPICommunicator.forProcess(timeout: settings.resolvedRankTimeout)
        do {
            try train(communicator, loaded, settings)
        } catch {
            // Peers of a failed rank would wait for it in their next collective: end them all.
            if communicator.size > 1 { communicator.abort(LeptonCommand.message(for: error)) }
            (communicator as? MPICommunicator)?.finalize()
            throw error
        }
        (communicator as? MPICommunicator)?.finalize()
    }

    private func train(_ communicator: Communicator, _ loaded: TrainingConfig, _ settings: DistributionSettings) throws {
        let parameterServer = settings.resolvedStrategy == .parameterServer
        if parameterServer { try ParameterServer.checkRanks(communicator.size, dedicatedServer: settings.isDedicatedServer) }
        var options = training.jobOptions(common)
        options.backupDirectory = backupDir
        options.batchEvents = metricsFile != nil
        if settings.globalBatch == true {
            // Split over the ranks that read data (all but a dedicated server).
            let trainers = parameterServer && settings.isDedicatedServer ? communicator.size - 1 : communicator.size
            guard loaded.batchSize % trainers == 0 else {
                throw ValidationError("\(settings.name(.globalBatch)): batch_size \(loaded.batchSize) of \(config) does not split over \(trainers) training ranks; expected a multiple of \(trainers)")
            }
            options.batchSize = loaded.batchSize / trainers
        }
        let job = try TrainingJob(config: loaded, options: options)
        let metrics = try metricsFile.flatMap { communicator.rank == 0 ? try TrainingMetricsWriter(path: $0) : nil }
        if communicator.size > 1 {
            // One thread per rank unless asked otherwise: ranks share the machine's cores.
            if common.threads == nil && ProcessInfo.processInfo.environment["LEPTON_NUM_THREADS"] == nil { Lepton.threadCount = 1 }
            let text = (try? String(contentsOfFile: config, encoding: .utf8)) ?? config
            let run = "\(text)|epochs:\(training.epochs.map(String.init) ?? "-")|seed:\(common.seed.map(String.init) ?? "-")|global batch:\(settings.globalBatch == true)"
            if parameterServer {
                let strategy = try DistributionOptions.parameterServer(settings, communicator, fingerprint: DataParallel.fingerprint(run))
                job.distribution = strategy
                try job.run { metrics?.record($0) }
                if communicator.rank == 0 { print(DistributionOptions.report(strategy.statistics, strategy)) }
                return
            }
            let strategy = try DataParallel(communicator: communicator, bucketBytes: settings.bucketBytes, overlap: settings.noOverlap != true,
                                            configurationFingerprint: DataParallel.fingerprint(run))
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
