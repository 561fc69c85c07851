import Foundation
import LeptonNN

/// Studies held in this process only (tests, benchmarks, notebooks): the same contract as
/// ``SQLStudyStorage``, with a lock in place of the database's.
public final class InMemoryStorage: StudyStorage, @unchecked Sendable {
    private let lock = NSRecursiveLock()
    private var records: [StudyRecord] = []
    private var trialsByStudy: [Int: [FrozenTrial]] = [:]

    public init() {}

    public func study(named name: String, direction: StudyDirection, space: SearchSpace?) throws -> StudyRecord {
        lock.lock(); defer { lock.unlock() }
        if let existing = records.first(where: { $0.name == name }) {
            guard existing.direction == direction else {
                throw TuneError("study \"\(name)\" exists with direction \(existing.direction.rawValue); asked for \(direction.rawValue)")
            }
            return existing
        }
        let record = StudyRecord(id: records.count + 1, name: name, direction: direction, space: space)
        records.append(record)
        return record
    }

    public func studies() throws -> [StudyRecord] {
        lock.lock(); defer { lock.unlock() }
        return records
    }

    public func atomically<T>(study id: Int, _ body: (any StudyTransaction) throws -> T) throws -> T {
        lock.lock(); defer { lock.unlock() }
        return try body(Transaction(storage: self, study: id))
    }

    public func trials(study id: Int) throws -> [FrozenTrial] {
        lock.lock(); defer { lock.unlock() }
        return trialsByStudy[id] ?? []
    }

    public func report(study id: Int, trial number: Int, step: Int, value: Double) throws {
        try update(id, number) { $0.intermediate[step] = value; $0.heartbeat = Date() }
    }

    public func heartbeat(study id: Int, trial number: Int) throws {
        try update(id, number) { $0.heartbeat = Date() }
    }

    fileprivate func update(_ study: Int, _ number: Int, _ change: (inout FrozenTrial) -> Void) throws {
        lock.lock(); defer { lock.unlock() }
        guard let index = trialsByStudy[study]?.firstIndex(where: { $0.number == number }) else {
            throw TuneError("study \(study) has no trial \(number)")
        }
        change(&trialsByStudy[study]![index])
    }

    private struct Transaction: StudyTransaction {
        let storage: InMemoryStorage
        let study: Int

        func trials() throws -> [FrozenTrial] { storage.trialsByStudy[study] ?? [] }

        func insert(state: TrialState, params: [String: ConfigValue], worker: WorkerIdentity?, retryOf: Int?) throws -> FrozenTrial {
            let now = Date()
            let trial = FrozenTrial(number: storage.trialsByStudy[study]?.count ?? 0, state: state, params: params, worker: worker,
                                    started: now, heartbeat: now, retryOf: retryOf)
            storage.trialsByStudy[study, default: []].append(trial)
            return trial
        }

        func claim(trial number: Int, worker: WorkerIdentity) throws {
            try storage.update(study, number) { $0.state = .running; $0.worker = worker; $0.started = Date(); $0.heartbeat = Date() }
        }

        func finish(trial number: Int, state: TrialState, value: Double?, reason: String?) throws {
            try storage.update(study, number) { $0.state = state; $0.value = value; $0.reason = reason; $0.finished = Date() }
        }
    }
}
