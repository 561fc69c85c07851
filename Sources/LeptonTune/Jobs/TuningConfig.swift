import Foundation
import LeptonJobs
import LeptonNN
import LeptonTensor

/// A training config with a `search:` section (see ``SearchSpace/init(yaml:)``) and an
/// optional `tune:` section; every trial trains the config with the trial's values put in at
/// the searched key paths.
///
/// ```yaml
/// tune: {metric: val_accuracy, direction: maximize, sampler: tpe, pruner: asha, report_every: 0.25, seed: 1,
///        pruner_options: {min_resource: 1, reduction_factor: 3}}
/// ```
/// `metric` is a key of the epoch logs (default `val_loss` with a validation split, else
/// `loss`); its value after the last epoch is the trial's value, and its value after each
/// epoch the intermediate value pruners judge. `report_every` (epochs, default 1) reports it
/// more often — 0.25: four times an epoch, as Lightning's `val_check_interval: 0.25` — so a
/// pruner can stop a bad trial within its first epoch; the steps pruners count are then
/// reports (``ReportSchedule``), and a `val_…` metric is measured on the whole validation
/// split at each. `direction` defaults to `minimize` for losses and errors and `maximize`
/// otherwise. `pruner_options` sets the pruner's settings under Optuna's names
/// (``PrunerSettings``).
public struct TuningConfig {
    /// The training config without `search:` and `tune:`.
    public let template: ConfigValue
    public let space: SearchSpace
    public let metric: String
    public let direction: StudyDirection
    public let sampler: SamplerKind
    public let pruner: PrunerKind
    /// The pruner's settings (`tune.pruner_options`).
    public let prunerSettings: PrunerSettings
    public let seed: UInt64
    /// The template's epochs.
    public let epochs: Int
    /// When trials report the metric (`tune.report_every`).
    public let reports: ReportSchedule
    /// The most steps a trial reports: epochs × reports per epoch (the pruners' resource).
    public var maximumSteps: Int { reports.steps(epochs: epochs) }
    public let file: String

    /// The key paths, one per parameter, checked against the template.
    let keyPaths: [String: ConfigKeyPath]

    /// Reads and checks a tuning config: the search space, every key path, and that trials
    /// at the space's first values and at a random point make valid training configs.
    /// - Throws: ``TuneError`` or ``LeptonNN/ConfigError`` naming the file, key and problem.
    public static func load(_ path: String) throws -> TuningConfig {
        let value = try YAMLDocument.read(path)
        do {
            return try TuningConfig(value, file: path)
        } catch let error as TuneError {
            throw TuneError("\(path): \(error.description)")
        } catch let error as ConfigError {
            throw TuneError("\(path): \(error.description)")
        }
    }

    public init(_ value: ConfigValue, file: String) throws {
        guard case var .object(root) = value else { throw TuneError("expected a mapping (a training config with a search: section)") }
        guard let search = root.removeValue(forKey: "search") else {
            throw TuneError("search: missing (expected a mapping from config key paths to ranges, e.g. optimizer.learning_rate: {type: float, low: 1.0e-4, high: 1.0e-2, log: true})")
        }
        let tune = try ConfigReader(root.removeValue(forKey: "tune") ?? .object([:]), path: "tune")
        try Self.read { try tune.rejectUnknownKeys(["metric", "direction", "sampler", "pruner", "pruner_options", "report_every", "seed"]) }
        template = .object(root)
        self.file = file
        space = try SearchSpace(yaml: search)
        keyPaths = try Dictionary(uniqueKeysWithValues: space.parameters.map { ($0.name, try ConfigKeyPath($0.name)) })
        for parameter in space.parameters { _ = try keyPaths[parameter.name]!.value(in: template) }
        let training = try TrainingConfig(template, file: file)
        epochs = training.epochs
        let metric = try Self.read { try tune.string("metric") } ?? (training.validationSplit > 0 ? "val_loss" : "loss")
        self.metric = metric
        reports = try Self.read { try tune.double("report_every") }.map { try ReportSchedule(reportEvery: $0) } ?? ReportSchedule()
        if let name = try Self.read({ try tune.string("direction") }) {
            guard let direction = StudyDirection(rawValue: name) else { throw TuneError("tune.direction: expected minimize or maximize, got \"\(name)\"") }
            self.direction = direction
        } else {
            direction = ["loss", "error", "mse", "mae", "rmse"].contains { metric.hasSuffix($0) } ? .minimize : .maximize
        }
        sampler = try Self.kind(tune, "sampler", default: .tpe)
        pruner = try Self.kind(tune, "pruner", default: .none)
        prunerSettings = try PrunerSettings(kind: pruner, yaml: tune.raw("pruner_options"))
        seed = UInt64(try Self.read { try tune.int("seed", default: 0, minimum: 0) })
        var rng = RandomGenerator(seed: seed)
        for params in [space.complete([:]) { $0.distribution.value(atInternal: $0.distribution.internalBounds.low) }, space.sample(using: &rng)] {
            do {
                _ = try trainingConfig(params).buildModel()
            } catch let error as ConfigError {
                throw TuneError("search: the trial \(FrozenTrial(number: 0, state: .running, params: params).paramsDescription) gives a training config that is refused: \(error.description)")
            }
        }
    }

    /// The training config of a trial with `params`.
    /// - Throws: ``LeptonNN/ConfigError`` when the values make a config the trainer refuses.
    public func trainingConfig(_ params: [String: ConfigValue]) throws -> TrainingConfig {
        var value = template
        for (name, parameterValue) in params {
            guard let path = keyPaths[name] else { throw TuneError("the trial has a parameter \(name) the search space does not") }
            value = try path.replacing(in: value, with: parameterValue)
        }
        return try TrainingConfig(value, file: file)
    }

    /// The study's pruner: the config's, or `kind` (a command line's `--pruner`) with its
    /// default settings.
    /// - Throws: ``TuneError`` when `kind` differs from `tune.pruner` and the config sets
    ///   `tune.pruner_options`, which are the other pruner's.
    public func makePruner(_ kind: PrunerKind? = nil) throws -> any Pruner {
        let kind = kind ?? pruner
        guard kind == pruner else {
            guard prunerSettings.options.isEmpty else {
                throw TuneError("\(file): tune.pruner_options are settings of the \(pruner.rawValue) pruner, but the pruner chosen is \(kind.rawValue); drop them or choose \(pruner.rawValue)")
            }
            return kind.make(maximumSteps: maximumSteps)
        }
        return prunerSettings.make(maximumSteps: maximumSteps)
    }

    private static func kind<K: RawRepresentable & CaseIterable>(_ reader: ConfigReader, _ key: String, default value: K) throws -> K
    where K.RawValue == String {
        guard let name = try read({ try reader.string(key) }) else { return value }
        guard let kind = K(rawValue: name) else {
            throw TuneError("tune.\(key): expected one of \(K.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(name)\"")
        }
        return kind
    }

    private static func read<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as ConfigError { throw TuneError(error.description) }
    }
}
