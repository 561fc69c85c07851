import Foundation
import LeptonNN

/// An optimisation: a search space, a direction, a sampler, a pruner, and its trials in a
/// ``StudyStorage`` — so any process that opens the same storage and name joins or resumes it.
///
/// Ask/tell, for a loop of one's own:
/// ```swift
/// let study = try Study(name: "demo", space: space, direction: .minimize, storage: InMemoryStorage(),
///                       sampler: TPESampler(seed: 1))
/// for _ in 0..<50 {
///     let trial = try study.ask()
///     try study.tell(trial, .complete(f(trial.float("x")!)))
/// }
/// print(try study.bestTrial()?.value ?? .nan)
/// ```
public final class Study: @unchecked Sendable {
    public let name: String
    public let space: SearchSpace
    public let direction: StudyDirection
    public let storage: any StudyStorage
    public let sampler: any Sampler
    public let pruner: any Pruner
    /// The study's id in its storage.
    public let id: Int
    /// A running trial whose worker shows no life for this long is taken for dead (workers on
    /// this host are judged by their process id at once).
    public var staleAfter: TimeInterval = 600
    /// The failure reason given to trials of dead workers.
    public static let workerDied = "worker died"
    /// The trials found left running by dead workers when the study was opened (now failed,
    /// their parameters queued again).
    public private(set) var recoveredOnOpen: [Int] = []

    /// Opens the study `name` in `storage`, creating it if needed. Trials left running by dead
    /// workers are marked failed ("worker died") and their parameters queued to run again.
    /// - Throws: ``TuneError`` when the study exists with the other direction, or storage fails.
    public init(name: String, space: SearchSpace, direction: StudyDirection = .minimize, storage: any StudyStorage,
                sampler: any Sampler = TPESampler(), pruner: any Pruner = NoPruner()) throws {
        self.name = name
        self.space = space
        self.direction = direction
        self.storage = storage
        self.sampler = sampler
        self.pruner = pruner
        id = try storage.study(named: name, direction: direction, space: space).id
        recoveredOnOpen = try recoverDeadTrials()
    }

    /// Marks running trials of dead workers failed and queues their parameters again — once: a
    /// rerun whose worker dies too is failed for good (it counts towards the budget).
    /// - Returns: the numbers of the trials marked failed.
    @discardableResult
    public func recoverDeadTrials() throws -> [Int] {
        let staleAfter = staleAfter
        return try storage.atomically(study: id) { tx in
            var recovered: [Int] = []
            let now = Date()
            for trial in try tx.trials() where trial.state == .running {
                let stale = trial.heartbeat.map { now.timeIntervalSince($0) > staleAfter } ?? true
                guard trial.worker?.isDeadOnThisHost == true || stale else { continue }
                if let first = trial.retryOf {
                    // The parameters took a worker down twice: they may be what kills it, so they do not run a third time.
                    try tx.finish(trial: trial.number, state: .failed, value: nil,
                                  reason: "worker died again running the parameters of trial \(first); not run a third time")
                } else {
                    try tx.finish(trial: trial.number, state: .failed, value: nil, reason: Self.workerDied)
                    _ = try tx.insert(state: .waiting, params: trial.params, worker: nil, retryOf: trial.number)
                }
                recovered.append(trial.number)
            }
            return recovered
        }
    }

    /// The next trial: a queued one if any, else new parameters from the sampler.
    public func ask() throws -> Trial {
        guard let trial = try ask(budget: nil) else { throw TuneError("no trial") }
        return trial
    }

    /// The next trial, or nil once `budget` trials are finished or running — trials failed
    /// because their worker died do not count, since their parameters run again.
    public func ask(budget: Int?) throws -> Trial? {
        let worker = WorkerIdentity.current
        return try storage.atomically(study: id) { tx -> Trial? in
            let trials = try tx.trials()
            if let waiting = trials.first(where: { $0.state == .waiting }) {
                try tx.claim(trial: waiting.number, worker: worker)
                return Trial(number: waiting.number, params: waiting.params)
            }
            if let budget, Self.countedTrials(trials) >= budget { return nil }
            let number = (trials.last?.number ?? -1) + 1
            let params = sampler.sample(space: space, trials: trials, direction: direction, number: number)
            let trial = try tx.insert(state: .running, params: params, worker: worker, retryOf: nil)
            return Trial(number: trial.number, params: trial.params)
        }
    }

    /// Trials that use up the budget: all but those failed because their worker died.
    static func countedTrials(_ trials: [FrozenTrial]) -> Int {
        trials.filter { !($0.state == .failed && $0.reason == workerDied) }.count
    }

    /// Records `value` at `step` for `trial`.
    /// - Returns: whether the pruner says the trial should stop now.
    @discardableResult
    public func report(_ trial: Trial, step: Int, value: Double) throws -> Bool {
        try storage.report(study: id, trial: trial.number, step: step, value: value)
        let trials = try storage.trials(study: id)
        guard let frozen = trials.first(where: { $0.number == trial.number }) else { return false }
        return pruner.shouldPrune(trial: frozen, step: step, trials: trials, direction: direction)
    }

    /// Marks `trial` alive (a long step between reports should call this now and then).
    public func heartbeat(_ trial: Trial) throws {
        try storage.heartbeat(study: id, trial: trial.number)
    }

    /// Ends `trial`. A complete value that is NaN or infinite is recorded as a failure.
    public func tell(_ trial: Trial, _ outcome: TrialOutcome) throws {
        try storage.atomically(study: id) { tx in
            switch outcome {
            case .complete(let value) where !value.isFinite:
                try tx.finish(trial: trial.number, state: .failed, value: nil, reason: "the objective's value is \(value)")
            case .complete(let value): try tx.finish(trial: trial.number, state: .complete, value: value, reason: nil)
            case .pruned: try tx.finish(trial: trial.number, state: .pruned, value: nil, reason: nil)
            case .failed(let reason): try tx.finish(trial: trial.number, state: .failed, value: nil, reason: reason)
            }
        }
    }

    /// Every trial so far.
    public func trials() throws -> [FrozenTrial] { try storage.trials(study: id) }

    /// The complete trial with the best value (the earliest among equals).
    public func bestTrial() throws -> FrozenTrial? {
        Self.best(of: try trials(), direction: direction)
    }

    static func best(of trials: [FrozenTrial], direction: StudyDirection) -> FrozenTrial? {
        trials.filter { $0.state == .complete && $0.value != nil }.min { a, b in
            direction.isBetter(a.value!, than: b.value!) || (a.value! == b.value! && a.number < b.number)
        }
    }

    /// Runs `objective` on new trials until `count` trials have finished in this call. The
    /// objective returns the value, throws ``TrialPruned`` when pruned, or throws anything
    /// else to fail the trial (its description is the reason); the study goes on either way.
    public func optimize(trials count: Int, _ objective: (Trial) throws -> Double) throws {
        for _ in 0..<count {
            let trial = try ask()
            let outcome: TrialOutcome
            do {
                outcome = .complete(try objective(trial))
            } catch is TrialPruned {
                outcome = .pruned
            } catch {
                outcome = .failed("\(error)")
            }
            try tell(trial, outcome)
        }
    }
}
