import LeptonNN

/// How `lepton train` spreads a job over processes: a training config's `distributed:` section,
/// overridden by the flags of the same names (`ps_mode:` ↔ `--ps-mode`), and checked by one
/// ``validate(file:)`` for both.
///
/// ```yaml
/// distributed: {workers: 2, strategy: data-parallel, bucket_mb: 25}
/// distributed: {workers: 3, strategy: parameter-server, ps_mode: async, staleness: 2, dedicated_server: true}
/// ```
///
/// Every setting is optional; an unset one takes the flag's default. Errors name the setting
/// where it was given: `--staleness` for a flag, `distributed.staleness` for the config.
public struct DistributionSettings: Sendable, Equatable {
    /// How gradients are combined across processes.
    public enum Strategy: String, Sendable, CaseIterable {
        /// Gradients all-reduced; every rank steps (LeptonDistributed's `DataParallel`).
        case dataParallel = "data-parallel"
        /// Rank 0 holds the weights and applies the gradients (LeptonDistributed's `ParameterServer`).
        case parameterServer = "parameter-server"
    }

    /// The settings, spelled as in the config (`ps_mode`); ``flag`` is the command line's spelling.
    public enum Key: String, Sendable, CaseIterable {
        /// ``DistributionSettings/workers``.
        case workers
        /// ``DistributionSettings/strategy``.
        case strategy
        /// ``DistributionSettings/psMode``.
        case psMode = "ps_mode"
        /// ``DistributionSettings/staleness``.
        case staleness
        /// ``DistributionSettings/dedicatedServer``.
        case dedicatedServer = "dedicated_server"
        /// ``DistributionSettings/bucketMB``.
        case bucketMB = "bucket_mb"
        /// ``DistributionSettings/rankTimeout``.
        case rankTimeout = "rank_timeout"
        /// ``DistributionSettings/globalBatch``.
        case globalBatch = "global_batch"
        /// ``DistributionSettings/noOverlap``.
        case noOverlap = "no_overlap"

        /// `--ps-mode` for `ps_mode`.
        public var flag: String { "--" + rawValue.replacingOccurrences(of: "_", with: "-") }
    }

    /// Processes `lepton train` starts with `mpirun` on this machine (ignored under a launcher).
    public var workers: Int?
    /// Data parallel (the default) or a parameter server.
    public var strategy: Strategy?
    /// Parameter server: `sync` (the default) or `async`.
    public var psMode: String?
    /// Parameter server, async: the most steps a rank may run ahead of the slowest (default 2).
    public var staleness: Int?
    /// Parameter server: rank 0 only serves (holds the weights, applies gradients, sends
    /// weights); ranks 1…N−1 train.
    public var dedicatedServer: Bool?
    /// Data parallel: megabytes of gradients fused into one all-reduce (default 25).
    public var bucketMB: Double?
    /// Seconds a rank waits in one collective before the job is aborted (default 300).
    public var rankTimeout: Double?
    /// The config's `batch_size` is the global batch, split over the training ranks.
    public var globalBatch: Bool?
    /// Data parallel: all-reduce after backward instead of overlapping with it.
    public var noOverlap: Bool?
    /// The settings given as flags (named `--flag` in errors); the rest came from the config.
    public var fromFlags: Set<Key> = []

    /// The range of ``workers``.
    public static let workerRange = 1...256
    /// The largest ``bucketMB``.
    public static let largestBucketMB: Double = 4096
    /// The largest ``rankTimeout`` in seconds (a week).
    public static let largestRankTimeout: Double = 604_800

    /// No setting: every default.
    public init() {}

    /// The strategy to use (data parallel unless set).
    public var resolvedStrategy: Strategy { strategy ?? .dataParallel }
    /// The parameter server's mode (`sync` unless set).
    public var resolvedMode: String { psMode ?? "sync" }
    /// The parameter server's staleness bound: ``staleness`` (default 2) in async mode, else 0.
    public var resolvedStaleness: Int { resolvedMode == "async" ? staleness ?? 2 : 0 }
    /// The all-reduce bucket size in bytes.
    public var bucketBytes: Int { Int((bucketMB ?? 25) * 1_048_576) }
    /// The rank timeout in seconds.
    public var resolvedRankTimeout: Double { rankTimeout ?? 300 }
    /// Whether rank 0 only serves.
    public var isDedicatedServer: Bool { dedicatedServer ?? false }

    /// Reads a config's `distributed:` section (types only; ``validate(file:)`` checks ranges and combinations).
    /// - Throws: ``LeptonNN/ConfigError`` for an unknown key or a value of the wrong type.
    public static func read(_ value: ConfigValue) throws -> DistributionSettings {
        let reader = try ConfigReader(value, path: "distributed")
        try reader.rejectUnknownKeys(Key.allCases.map(\.rawValue))
        var settings = DistributionSettings()
        settings.workers = try reader.int(Key.workers.rawValue)
        if let name = try reader.string(Key.strategy.rawValue) {
            guard let strategy = Strategy(rawValue: name) else {
                throw ConfigError("distributed.strategy: expected data-parallel or parameter-server, got '\(name)'")
            }
            settings.strategy = strategy
        }
        settings.psMode = try reader.string(Key.psMode.rawValue)
        settings.staleness = try reader.int(Key.staleness.rawValue)
        settings.dedicatedServer = try reader.raw(Key.dedicatedServer.rawValue).map { _ in try reader.bool(Key.dedicatedServer.rawValue, default: false) }
        settings.bucketMB = try reader.double(Key.bucketMB.rawValue)
        settings.rankTimeout = try reader.double(Key.rankTimeout.rawValue)
        settings.globalBatch = try reader.raw(Key.globalBatch.rawValue).map { _ in try reader.bool(Key.globalBatch.rawValue, default: false) }
        settings.noOverlap = try reader.raw(Key.noOverlap.rawValue).map { _ in try reader.bool(Key.noOverlap.rawValue, default: false) }
        return settings
    }

    /// These settings with every setting `flags` holds in its place (the command line wins).
    public func overridden(by flags: DistributionSettings) -> DistributionSettings {
        var merged = self
        if let v = flags.workers { merged.workers = v; merged.fromFlags.insert(.workers) }
        if let v = flags.strategy { merged.strategy = v; merged.fromFlags.insert(.strategy) }
        if let v = flags.psMode { merged.psMode = v; merged.fromFlags.insert(.psMode) }
        if let v = flags.staleness { merged.staleness = v; merged.fromFlags.insert(.staleness) }
        if let v = flags.dedicatedServer { merged.dedicatedServer = v; merged.fromFlags.insert(.dedicatedServer) }
        if let v = flags.bucketMB { merged.bucketMB = v; merged.fromFlags.insert(.bucketMB) }
        if let v = flags.rankTimeout { merged.rankTimeout = v; merged.fromFlags.insert(.rankTimeout) }
        if let v = flags.globalBatch { merged.globalBatch = v; merged.fromFlags.insert(.globalBatch) }
        if let v = flags.noOverlap { merged.noOverlap = v; merged.fromFlags.insert(.noOverlap) }
        return merged
    }
}
