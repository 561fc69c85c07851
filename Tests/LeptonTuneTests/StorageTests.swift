import Foundation
import LeptonNN
import LeptonTestSupport
import LeptonTune
import Testing

/// SQL storage (SQLite and PostgreSQL): ask/tell round trips, several connections writing at
/// once without lock errors, and resuming a study whose worker died.
@Suite struct StorageTests {
    static let space = try! SearchSpace { hp in
        hp.float("x", 0, 1)
        hp.choice("c", ["a", "b"])
    }

    static func databasePath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("lepton-study-\(UUID())").appendingPathComponent("study.db").path
    }

    @Test(arguments: SQLBackend.allCases)
    func askTellReportRoundTripThroughTheDatabase(backend: SQLBackend) throws {
        let database = try TestDatabase(backend)
        defer { database.remove() }
        let url = database.url
        let study = try Study(name: "rt", space: Self.space, direction: .maximize, storage: StorageURL.open(url),
                              sampler: RandomSampler(seed: 1))
        let a = try study.ask(), b = try study.ask(), c = try study.ask(), d = try study.ask()
        try study.report(a, step: 1, value: 0.5)
        try study.report(a, step: 2, value: 0.7)
        try study.tell(a, .complete(0.7))
        try study.tell(b, .pruned)
        try study.tell(c, .failed("boom"))
        try study.tell(d, .complete(.nan))
        // A second connection (as another process would have) sees the same study.
        let reopened = try Study(name: "rt", space: Self.space, direction: .maximize, storage: StorageURL.open(url))
        let trials = try reopened.trials()
        #expect(trials.map(\.number) == [0, 1, 2, 3])
        #expect(trials.map(\.state) == [.complete, .pruned, .failed, .failed])
        #expect(trials[0].params == a.params && trials[0].value == 0.7 && trials[0].intermediate == [1: 0.5, 2: 0.7])
        #expect(trials[2].reason == "boom")
        #expect(trials[3].reason == "the objective's value is nan")
        #expect(try reopened.bestTrial()?.number == 0)
        #expect(throws: TuneError.self) { try Study(name: "rt", space: Self.space, direction: .minimize, storage: StorageURL.open(url)) }
        #expect(try StorageURL.open(url).studies().first?.space == Self.space)
    }

    @Test(arguments: SQLBackend.allCases)
    func connectionsOnThreadsShareAStudyWithoutLockErrors(backend: SQLBackend) throws {
        let database = try TestDatabase(backend)
        defer { database.remove() }
        let url = database.url
        let workers = 4, perWorker = 25
        let errors = ErrorList()
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            do {
                // Each worker its own connection, as separate processes have.
                let study = try Study(name: "p", space: Self.space, storage: StorageURL.open(url), sampler: TPESampler(seed: UInt64(w)))
                while let trial = try study.ask(budget: workers * perWorker) {
                    try study.report(trial, step: 1, value: trial.float("x")!)
                    try study.tell(trial, .complete(trial.float("x")!))
                }
            } catch {
                errors.append("\(error)")
            }
        }
        #expect(errors.all.isEmpty, "\(errors.all)")
        let trials = try StorageURL.open(url).trials(study: 1)
        #expect(trials.count == workers * perWorker, "the budget is exact across connections")
        #expect(trials.map(\.number) == Array(0..<(workers * perWorker)))
        #expect(trials.allSatisfy { $0.state == .complete && $0.intermediate.count == 1 })
        let workersSeen = Set(trials.compactMap { $0.worker?.pid })
        #expect(workersSeen == [getpid()])
    }

    @Test func aTrialLeftRunningByADeadWorkerIsFailedAndRunAgain() throws {
        let path = Self.databasePath()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path) }
        // A process that has exited: its id names no process now.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let storage = try SQLStudyStorage(path: path)
        let record = try storage.study(named: "r", direction: .minimize, space: Self.space)
        let params: [String: ConfigValue] = ["x": 0.25, "c": "b"]
        let host = ProcessInfo.processInfo.hostName
        try storage.atomically(study: record.id) { tx in
            let done = try tx.insert(state: .running, params: ["x": 0.5, "c": "a"], worker: .current, retryOf: nil)
            try tx.finish(trial: done.number, state: .complete, value: 0.5, reason: nil)
            _ = try tx.insert(state: .running, params: params, worker: WorkerIdentity(pid: gone.processIdentifier, host: host), retryOf: nil)
            _ = try tx.insert(state: .running, params: ["x": 0.75, "c": "a"], worker: .current, retryOf: nil)   // alive: this process
        }
        let study = try Study(name: "r", space: Self.space, storage: SQLStudyStorage(path: path), sampler: RandomSampler(seed: 2))
        var trials = try study.trials()
        #expect(trials.map(\.state) == [.complete, .failed, .running, .waiting])
        #expect(trials[1].reason == Study.workerDied)
        #expect(trials[3].params == params && trials[3].retryOf == 1)
        // The budget counts the rerun, not the dead worker's trial: with a budget of 3, exactly the rerun is handed out.
        let rerun = try #require(try study.ask(budget: 3))
        #expect(rerun.number == 3 && rerun.params == params)
        #expect(try study.ask(budget: 3) == nil)
        try study.tell(rerun, .complete(0.1))
        trials = try study.trials()
        #expect(trials[3].state == .complete && trials[3].worker?.pid == getpid())
        #expect(try study.bestTrial()?.number == 3)
    }

    @Test func parametersThatKillTheirWorkerTwiceAreNotRunAThirdTime() throws {
        let path = Self.databasePath()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path) }
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let dead = WorkerIdentity(pid: gone.processIdentifier, host: ProcessInfo.processInfo.hostName)
        let storage = try SQLStudyStorage(path: path)
        let record = try storage.study(named: "k", direction: .minimize, space: Self.space)
        try storage.atomically(study: record.id) { tx in
            _ = try tx.insert(state: .running, params: ["x": 0.5, "c": "a"], worker: dead, retryOf: nil)
            _ = try tx.insert(state: .running, params: ["x": 0.25, "c": "a"], worker: dead, retryOf: 0)
        }
        let study = try Study(name: "k", space: Self.space, storage: storage)
        let trials = try study.trials()
        #expect(trials.map(\.state) == [.failed, .failed, .waiting], "only the first death queues a rerun")
        #expect(trials[1].reason == "worker died again running the parameters of trial 0; not run a third time")
        #expect(trials[2].retryOf == 0)
    }

    @Test func storageURLsAreCheckedWithClearErrors() throws {
        for (url, message) in [("postgresql://u:secret@127.0.0.1:1/db", "cannot connect to PostgreSQL"),
                               ("postgresql://u@127.0.0.1:1/db?sslmode=verify-full", "sslmode=verify-full is not supported"),
                               ("mysql://x", "unknown scheme \"mysql\""), ("sqlite:///", "expected sqlite:///PATH with a file path")] {
            do {
                _ = try StorageURL.open(url)
                Issue.record("\(url) accepted")
            } catch {
                #expect(error is TuneError && "\(error)".contains(message), "\(url): \(error)")
                #expect(!"\(error)".contains("secret"), "the password stays out of messages: \(error)")
            }
        }
        let notADatabase = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-notdb-\(UUID()).db")
        try Data("this is not SQLite, just text that is long enough to be a header......".utf8).write(to: notADatabase)
        defer { try? FileManager.default.removeItem(at: notADatabase) }
        #expect(throws: TuneError.self) { try SQLStudyStorage(path: notADatabase.path) }
    }
}

/// Errors collected from several threads.
final class ErrorList: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [String] = []
    func append(_ error: String) { lock.lock(); errors.append(error); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return errors }
}
