import Foundation
import LeptonTune

/// The worker processes of `lepton tune`: starts them, watches the study while they run,
/// reports each trial as it finishes, marks trials of workers that died as failed (their
/// parameters run again), and starts a worker again while the budget is not used up.
final class WorkerPool {
    let study: Study
    let budget: Int
    let count: Int
    let arguments: [String]
    let logFolder: URL
    /// How many times workers may be started again after one ends with work left.
    let maximumRestarts: Int

    init(study: Study, budget: Int, workers: Int, arguments: [String], logFolder: URL) {
        self.study = study
        self.budget = budget
        count = workers
        self.arguments = arguments
        self.logFolder = logFolder
        maximumRestarts = max(budget, 4)
    }

    /// Runs workers until the study holds `budget` finished trials and no worker is left,
    /// calling `onFinished` for every trial that finishes meanwhile (in order of finishing).
    func run(onFinished: (FrozenTrial) -> Void) throws {
        try FileManager.default.createDirectory(at: logFolder, withIntermediateDirectories: true)
        var seen = Set(try study.trials().filter(\.state.isFinished).map(\.number))
        var processes: [Int: Process] = [:]
        var restarts = 0
        func remaining(_ trials: [FrozenTrial]) -> Bool {
            trials.filter { $0.state.isFinished && $0.reason != Study.workerDied }.count < budget
                || trials.contains { $0.state == .waiting || $0.state == .running }
        }
        if remaining(try study.trials()) {
            for slot in 0..<count { processes[slot] = try start(slot) }
        }
        while !processes.isEmpty {
            Thread.sleep(forTimeInterval: 0.25)
            try study.recoverDeadTrials()
            let trials = try study.trials()
            for trial in trials.filter({ $0.state.isFinished && !seen.contains($0.number) })
                .sorted(by: { ($0.finished ?? .distantPast) < ($1.finished ?? .distantPast) }) {
                seen.insert(trial.number)
                onFinished(trial)
            }
            for (slot, process) in processes where !process.isRunning {
                processes[slot] = nil
                let status = process.terminationStatus
                guard remaining(trials), status != 0 || !trials.contains(where: { $0.state == .running }) else { continue }
                if status != 0 {
                    FileHandle.standardError.write(Data("warning: worker \(slot) ended with status \(status) (log: \(log(slot).path))\n".utf8))
                }
                guard restarts < maximumRestarts else {
                    throw TuneError("workers keep ending before the study is done (\(restarts) restarts); see \(logFolder.path)")
                }
                restarts += 1
                processes[slot] = try start(slot)
            }
        }
    }

    private func log(_ slot: Int) -> URL { logFolder.appendingPathComponent("worker-\(slot).log") }

    private func start(_ slot: Int) throws -> Process {
        let process = Process()
        process.executableURL = Bundle.main.executableURL ?? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = arguments
        let url = log(slot)
        if !FileManager.default.fileExists(atPath: url.path) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: url)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }
}
