import ArgumentParser
import LeptonDistributed
import LeptonJobs
import LeptonNN

/// `lepton train`'s distribution flags: the number of processes, the strategy (data parallelism
/// or a parameter server, with its mode, staleness and dedicated server) and the all-reduce's
/// settings. They override the config's `distributed:` section (LeptonJobs'
/// `DistributionSettings`, spelled `ps_mode` for `--ps-mode`), and both are checked by
/// `DistributionSettings.validate(file:)`.
struct DistributionOptions: ParsableArguments {
    /// The strategies `--strategy` accepts.
    enum Strategy: String, ExpressibleByArgument, CaseIterable {
        case dataParallel = "data-parallel"
        case parameterServer = "parameter-server"
    }

    @Option(help: "Train in N processes on this machine (starts mpirun; each process 1 thread unless --threads says otherwise), 1...256. Config: distributed.workers.")
    var workers: Int?

    @Option(help: "With several ranks: data-parallel (gradients all-reduced; the default) or parameter-server (rank 0 holds the weights and, unless --dedicated-server, trains too; the others push gradients and pull weights).")
    var strategy: Strategy?

    @Option(help: ArgumentHelp("Parameter server: sync (one update from all ranks' gradients per step, as one process with the global batch) or async (one update per gradient as it arrives).", valueName: "sync|async"))
    var psMode: String?

    @Option(help: ArgumentHelp("Parameter server, async: the most steps a rank may run ahead of the slowest (default 2).", valueName: "steps"))
    var staleness: Int?

    @Flag(help: "Parameter server: rank 0 only serves (holds the weights, applies the gradients, sends the weights); ranks 1...N-1 train on the data. Needs at least 2 processes.")
    var dedicatedServer = false

    @Option(help: ArgumentHelp("Data-parallel: megabytes of gradients fused into one all-reduce (default 25).", valueName: "MB"))
    var bucketMb: Double?

    @Option(help: ArgumentHelp("Seconds a rank waits in one collective before the job is aborted as dead or hung (default 300).", valueName: "seconds"))
    var rankTimeout: Double?

    @Flag(help: "The config's batch_size is the global batch, split over the training ranks (each reads batch_size / N, which must divide); a restart with another number of ranks then keeps the batches, steps and learning-rate schedule.")
    var globalBatch = false

    @Flag(name: .customLong("no-overlap"), help: "Data-parallel: all-reduce the gradients after backward instead of overlapping them with it.")
    var noOverlap = false

    /// The flags given, as settings that override the config's (a flag not given is nil).
    var settings: DistributionSettings {
        var flags = DistributionSettings()
        flags.workers = workers
        flags.strategy = strategy.flatMap { DistributionSettings.Strategy(rawValue: $0.rawValue) }
        flags.psMode = psMode
        flags.staleness = staleness
        flags.dedicatedServer = dedicatedServer ? true : nil
        flags.bucketMB = bucketMb
        flags.rankTimeout = rankTimeout
        flags.globalBatch = globalBatch ? true : nil
        flags.noOverlap = noOverlap ? true : nil
        return DistributionSettings().overridden(by: flags)
    }

    /// Single values only: combinations are checked once the config's `distributed:` is read
    /// (`--dedicated-server` may complete its `strategy: parameter-server`).
    func validate() throws {
        do { try settings.validateValues() } catch let error as ConfigError { throw ValidationError(error.description) }
    }

    /// The parameter server `settings` describe over `communicator`.
    /// - Throws: ``LeptonDistributed/DistributedError`` for fewer than 2 ranks.
    static func parameterServer(_ settings: DistributionSettings, _ communicator: Communicator, fingerprint: UInt64) throws -> ParameterServer {
        try ParameterServer(communicator: communicator, mode: ParameterServer.Mode(rawValue: settings.resolvedMode) ?? .sync,
                            staleness: settings.resolvedStaleness, dedicatedServer: settings.isDedicatedServer,
                            configurationFingerprint: fingerprint)
    }

    /// One line of what the parameter server did on rank 0.
    static func report(_ s: ParameterServer.Statistics, _ strategy: ParameterServer) -> String {
        let role = strategy.dedicatedServer ? ", dedicated" : ""
        var line = "Parameter server (rank 0\(role), \(strategy.mode.rawValue)): " + String(format: "%d updates, %.1f MB sent, %.2f s waiting for gradients",
                                                                                             s.updates, Double(s.bytesSent) / 1_048_576, s.waitSeconds)
        if strategy.mode == .async {
            line += ", largest lead \(s.largestLead) of at most \(strategy.staleness) steps, largest gradient staleness \(s.largestGradientStaleness) updates"
        }
        return line
    }
}
