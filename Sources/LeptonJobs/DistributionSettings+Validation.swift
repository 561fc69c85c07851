import LeptonNN

extension DistributionSettings {
    /// Checks ranges and combinations, the same for flags and the config: one line naming the
    /// setting as it was given (`--staleness` or `distributed.staleness`) and what was expected.
    /// - Parameter file: the config, named before a message about one of its settings.
    /// - Throws: ``LeptonNN/ConfigError``.
    public func validate(file: String? = nil) throws {
        try validateValues(file: file)
        try validateCombinations(file: file)
    }

    /// The checks of single values (ranges, names), which need no other setting: what the
    /// command line checks before the config is read.
    /// - Throws: ``LeptonNN/ConfigError``.
    public func validateValues(file: String? = nil) throws {
        let fail = failure(file)
        if let workers, !Self.workerRange.contains(workers) {
            throw fail([.workers], "\(name(.workers)): expected an integer in \(Self.workerRange.lowerBound)...\(Self.workerRange.upperBound), got \(workers)")
        }
        if let bucketMB, !(bucketMB.isFinite && bucketMB > 0 && bucketMB <= Self.largestBucketMB) {
            throw fail([.bucketMB], "\(name(.bucketMB)): expected a number of megabytes in (0, \(Int(Self.largestBucketMB))], got \(bucketMB)")
        }
        if let rankTimeout {
            guard rankTimeout.isFinite, rankTimeout >= 1 else {
                throw fail([.rankTimeout], "\(name(.rankTimeout)): expected at least 1 second, got \(rankTimeout)")
            }
            guard rankTimeout <= Self.largestRankTimeout else {
                throw fail([.rankTimeout], "\(name(.rankTimeout)): expected at most \(Int(Self.largestRankTimeout)) seconds (a week), got \(rankTimeout)")
            }
        }
        if let psMode, psMode != "sync" && psMode != "async" {
            throw fail([.psMode], "\(name(.psMode)): expected sync or async, got '\(psMode)'")
        }
        if let staleness {
            guard staleness >= 0 else { throw fail([.staleness], "\(name(.staleness)): expected at least 0 steps, got \(staleness)") }
            guard staleness <= 1_000_000 else { throw fail([.staleness], "\(name(.staleness)): expected at most 1000000 steps, got \(staleness)") }
        }
    }

    /// The checks of settings that exclude or need one another (`staleness` needs `ps_mode: async`).
    /// - Throws: ``LeptonNN/ConfigError``.
    public func validateCombinations(file: String? = nil) throws {
        let fail = failure(file)
        if resolvedStrategy != .parameterServer {
            for key in [Key.psMode, .staleness, .dedicatedServer] where isSet(key) {
                throw fail([key, .strategy], "\(name(key)): only with \(setting(.strategy, "parameter-server"))")
            }
        } else {
            for key in [Key.bucketMB, .noOverlap] where isSet(key) {
                throw fail([key, .strategy], "\(name(key)): only with \(setting(.strategy, "data-parallel")) (the parameter server sends whole gradients)")
            }
        }
        if staleness != nil {
            guard resolvedMode == "async" else {
                throw fail([.staleness, .psMode], "\(name(.staleness)): only with \(setting(.psMode, "async")) (sync mode steps together)")
            }
        }
        if isDedicatedServer, let workers, workers < 2 {
            throw fail([.dedicatedServer, .workers], "\(name(.dedicatedServer)): needs at least 2 processes (rank 0 serves, the others train), got \(setting(.workers, "\(workers)"))")
        }
    }

    /// An error naming the config `file` when one of `keys` came from it.
    private func failure(_ file: String?) -> ([Key], String) -> ConfigError {
        { keys, message in
            let fromConfig = keys.contains { isSet($0) && !fromFlags.contains($0) }
            return ConfigError((fromConfig ? file.map { "\($0): " } ?? "" : "") + message)
        }
    }

    /// Whether `key` was given (a flag or a config key; a `false` flag or boolean counts as not given).
    func isSet(_ key: Key) -> Bool {
        switch key {
        case .workers: workers != nil
        case .strategy: strategy != nil
        case .psMode: psMode != nil
        case .staleness: staleness != nil
        case .dedicatedServer: dedicatedServer == true
        case .bucketMB: bucketMB != nil
        case .rankTimeout: rankTimeout != nil
        case .globalBatch: globalBatch == true
        case .noOverlap: noOverlap == true
        }
    }

    /// `--ps-mode` for a flag, `distributed.ps_mode` for a config key: how an error names the setting.
    public func name(_ key: Key) -> String { fromFlags.contains(key) ? key.flag : "distributed.\(key.rawValue)" }

    /// `--strategy parameter-server` for a flag (or an unset setting with flags given), `strategy: parameter-server` for a config key.
    func setting(_ key: Key, _ value: String) -> String {
        fromFlags.contains(key) || (!isSet(key) && !fromFlags.isEmpty) ? "\(key.flag) \(value)" : "\(key.rawValue): \(value)"
    }
}
