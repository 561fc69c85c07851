import LeptonNN

/// A pruner kind with its settings, as a tuning config's `tune:` section gives them: the
/// pruner in `pruner`, its settings in `pruner_options` under Optuna's argument names.
///
/// ```yaml
/// tune: {pruner: asha, pruner_options: {min_resource: 2, reduction_factor: 3, min_early_stopping_rate: 0}}
/// tune: {pruner: hyperband, pruner_options: {min_resource: 1, max_resource: 27, reduction_factor: 3}}
/// tune: {pruner: median, pruner_options: {n_startup_trials: 5, n_warmup_steps: 0, interval_steps: 1, n_min_trials: 1}}
/// ```
/// Settings left out keep the pruner's defaults (``SuccessiveHalvingPruner``,
/// ``HyperbandPruner`` — its `max_resource` the trial's steps —, ``MedianPruner``). A
/// setting of another pruner than the chosen one, an unknown key, a value that is not an
/// integer or out of its range is refused with one line naming the key.
public struct PrunerSettings: Sendable, Equatable {
    public let kind: PrunerKind
    /// The settings given (Optuna's names); the others keep their defaults.
    public let options: [String: Int]

    /// One setting: its name and the smallest value it takes.
    struct Option {
        let name: String
        let minimum: Int
    }

    /// The settings each pruner takes, in Optuna's names.
    static func options(of kind: PrunerKind) -> [Option] {
        switch kind {
        case .none: return []
        case .median:
            return [Option(name: "n_startup_trials", minimum: 0), Option(name: "n_warmup_steps", minimum: 0),
                    Option(name: "interval_steps", minimum: 1), Option(name: "n_min_trials", minimum: 1)]
        case .asha:
            return [Option(name: "min_resource", minimum: 1), Option(name: "reduction_factor", minimum: 2),
                    Option(name: "min_early_stopping_rate", minimum: 0)]
        case .hyperband:
            return [Option(name: "min_resource", minimum: 1), Option(name: "max_resource", minimum: 1),
                    Option(name: "reduction_factor", minimum: 2)]
        }
    }

    /// The names of the settings `kind` takes.
    public static func keys(of kind: PrunerKind) -> [String] { options(of: kind).map(\.name) }

    /// The default settings of `kind`.
    public init(kind: PrunerKind) {
        self.kind = kind
        options = [:]
    }

    /// Reads `pruner_options` (nil when the section has none) for a pruner of `kind`.
    /// - Throws: ``TuneError`` naming the key (`tune.pruner_options.…`) and what was expected.
    public init(kind: PrunerKind, yaml: ConfigValue?) throws {
        self.kind = kind
        let path = "tune.pruner_options"
        guard let yaml, yaml != .null else {
            options = [:]
            return
        }
        guard case let .object(values) = yaml else {
            throw TuneError("\(path): expected a mapping of the pruner's settings (e.g. {min_resource: 1, reduction_factor: 3}), got \(yaml)")
        }
        let known = Self.options(of: kind)
        var options: [String: Int] = [:]
        for key in values.keys.sorted() {
            guard let option = known.first(where: { $0.name == key }) else {
                let owners = PrunerKind.allCases.filter { Self.keys(of: $0).contains(key) }.map(\.rawValue)
                let expected = known.isEmpty ? "the pruner none takes no settings"
                    : "the \(kind.rawValue) pruner takes \(known.map(\.name).joined(separator: ", "))"
                if owners.isEmpty { throw TuneError("\(path): unknown key \(key); \(expected)") }
                throw TuneError("\(path).\(key): a setting of the \(owners.joined(separator: " and ")) pruner, but tune.pruner is \(kind.rawValue); \(expected)")
            }
            let reader = ConfigReader(values, path: path)
            let value: Int
            do {
                value = try reader.int(key, default: option.minimum, minimum: option.minimum)
            } catch let error as ConfigError {
                throw TuneError(error.description)
            }
            options[key] = value
        }
        if let low = options["min_resource"], let high = options["max_resource"], high < low {
            throw TuneError("\(path).max_resource: expected an integer ≥ min_resource (\(low)), got \(high)")
        }
        self.options = options
    }

    /// The pruner, for trials of at most `maximumSteps` steps (Hyperband's default `max_resource`).
    public func make(maximumSteps: Int) -> any Pruner {
        switch kind {
        case .none: return NoPruner()
        case .median:
            typealias D = MedianPruner.Defaults
            return MedianPruner(startupTrials: options["n_startup_trials"] ?? D.startupTrials, warmupSteps: options["n_warmup_steps"] ?? D.warmupSteps,
                                intervalSteps: options["interval_steps"] ?? D.intervalSteps, minimumTrials: options["n_min_trials"] ?? D.minimumTrials)
        case .asha:
            typealias D = SuccessiveHalvingPruner.Defaults
            return SuccessiveHalvingPruner(minimumResource: options["min_resource"] ?? D.minimumResource,
                                           reductionFactor: options["reduction_factor"] ?? D.reductionFactor,
                                           minimumEarlyStoppingRate: options["min_early_stopping_rate"] ?? D.minimumEarlyStoppingRate)
        case .hyperband:
            typealias D = HyperbandPruner.Defaults
            let minimum = options["min_resource"] ?? D.minimumResource
            return HyperbandPruner(minimumResource: minimum, maximumResource: options["max_resource"] ?? max(maximumSteps, minimum),
                                   reductionFactor: options["reduction_factor"] ?? D.reductionFactor)
        }
    }
}
