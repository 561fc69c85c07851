import Foundation
import LeptonNN

/// Where studies live, so that any process can join or resume one (Optuna's storages).
/// ``SQLStudyStorage`` is the default; ``InMemoryStorage`` serves one process.
///
/// Everything a decision depends on — "which parameters next?", "is the budget spent?",
/// "which running trials belong to dead workers?" — happens inside ``atomically(study:_:)``,
/// which no other process or thread interleaves with.
public protocol StudyStorage: AnyObject, Sendable {
    /// The study called `name`, created with `direction` if it does not exist; `space` (when
    /// given) is recorded as the study's search space, for reports.
    /// - Throws: ``TuneError`` when the study exists with the other direction.
    func study(named name: String, direction: StudyDirection, space: SearchSpace?) throws -> StudyRecord
    /// Every study in the storage.
    func studies() throws -> [StudyRecord]
    /// Runs `body` as one transaction on study `id`.
    func atomically<T>(study id: Int, _ body: (any StudyTransaction) throws -> T) throws -> T
    /// Every trial of study `id`, by number.
    func trials(study id: Int) throws -> [FrozenTrial]
    /// Records trial `number`'s intermediate value at `step` (replacing one already there).
    func report(study id: Int, trial number: Int, step: Int, value: Double) throws
    /// Marks trial `number` as alive now.
    func heartbeat(study id: Int, trial number: Int) throws
}

/// A study's row: its id in the storage, name, direction and the search space last recorded.
public struct StudyRecord: Sendable, Equatable {
    public let id: Int
    public let name: String
    public let direction: StudyDirection
    public let space: SearchSpace?

    public init(id: Int, name: String, direction: StudyDirection, space: SearchSpace?) {
        self.id = id
        self.name = name
        self.direction = direction
        self.space = space
    }
}

/// What may be done to a study's trials inside ``StudyStorage/atomically(study:_:)``.
public protocol StudyTransaction {
    /// Every trial of the study, by number.
    func trials() throws -> [FrozenTrial]
    /// Adds a trial with the next number.
    func insert(state: TrialState, params: [String: ConfigValue], worker: WorkerIdentity?, retryOf: Int?) throws -> FrozenTrial
    /// Hands waiting trial `number` to `worker` (state `running`, started now).
    func claim(trial number: Int, worker: WorkerIdentity) throws
    /// Ends trial `number` in `state` (complete, pruned or failed) with its value or reason.
    func finish(trial number: Int, state: TrialState, value: Double?, reason: String?) throws
}

/// Parameters as stored: a JSON object.
enum ParamsCoding {
    static func encode(_ params: [String: ConfigValue]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(params), as: UTF8.self)
    }

    static func decode(_ text: String) throws -> [String: ConfigValue] {
        try JSONDecoder().decode([String: ConfigValue].self, from: Data(text.utf8))
    }

    static func encode(_ space: SearchSpace) throws -> String {
        String(decoding: try JSONEncoder().encode(space), as: UTF8.self)
    }

    static func decodeSpace(_ text: String) -> SearchSpace? {
        try? JSONDecoder().decode(SearchSpace.self, from: Data(text.utf8))
    }
}
