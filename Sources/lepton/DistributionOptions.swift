import ArgumentParser
import LeptonDistributed

/// `lepton train`'s choice of distribution strategy: data parallelism (all-reduce) or a
/// parameter server (rank 0 holds the weights), with the parameter server's mode and staleness.
struct DistributionOptions: ParsableArguments {
    /// The strategies `--strategy` accepts.
    enum Strategy: String, ExpressibleByArgument, CaseIterable {
        case dataParallel = "data-parallel"
        case parameterServer = "parameter-server"
    }

    @Option(help: "With several ranks: data-parallel (gradients all-reduced) or parameter-server (rank 0 holds the weights and trains too; the others push gradients and pull weights).")
    var strategy: Strategy = .dataParallel

    @Option(help: ArgumentHelp("Parameter server: sync (one update from all ranks' gradients per step, as one process with the global batch) or async (one update per gradient as it arrives).", valueName: "sync|async"))
    var psMode: String?

    @Option(help: ArgumentHelp("Parameter server, async: the most steps a rank may run ahead of the slowest (default 2).", valueName: "steps"))
    var staleness: Int?

    func validate() throws {
        if strategy != .parameterServer, psMode != nil || staleness != nil {
            throw ValidationError("--\(psMode != nil ? "ps-mode" : "staleness"): only with --strategy parameter-server")
        }
        if let psMode, ParameterServer.Mode(rawValue: psMode) == nil {
            throw ValidationError("--ps-mode: expected sync or async, got '\(psMode)'")
        }
        if let staleness {
            guard staleness >= 0 else { throw ValidationError("--staleness: expected at least 0 steps, got \(staleness)") }
            guard mode == .async else { throw ValidationError("--staleness: only with --ps-mode async (sync mode steps together)") }
        }
    }

    /// The parameter server's mode (sync unless `--ps-mode async`).
    var mode: ParameterServer.Mode { psMode.flatMap(ParameterServer.Mode.init(rawValue:)) ?? .sync }

    /// The parameter server these options describe over `communicator`.
    /// - Throws: ``LeptonDistributed/DistributedError`` for fewer than 2 ranks.
    func parameterServer(_ communicator: Communicator, fingerprint: UInt64) throws -> ParameterServer {
        try ParameterServer(communicator: communicator, mode: mode, staleness: mode == .async ? staleness ?? 2 : 0,
                            configurationFingerprint: fingerprint)
    }

    /// One line of what the parameter server did on rank 0.
    static func report(_ s: ParameterServer.Statistics, _ strategy: ParameterServer) -> String {
        var line = "Parameter server (rank 0, \(strategy.mode.rawValue)): " + String(format: "%d updates, %.1f MB sent, %.2f s waiting for gradients",
                                                                                   s.updates, Double(s.bytesSent) / 1_048_576, s.waitSeconds)
        if strategy.mode == .async {
            line += ", largest lead \(s.largestLead) of at most \(strategy.staleness) steps, largest gradient staleness \(s.largestGradientStaleness) updates"
        }
        return line
    }
}
