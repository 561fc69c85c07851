import Foundation
import LeptonNN

/// A trial as storage holds it: its number in the study, state, parameters, objective value,
/// the intermediate values it reported (by step), and who ran it when.
public struct FrozenTrial: Sendable, Equatable {
    /// 0, 1, 2, … in the order trials were created in the study.
    public var number: Int
    public var state: TrialState
    /// The parameters, by name (only the active ones of a conditional space).
    public var params: [String: ConfigValue]
    /// The objective's value of a complete trial.
    public var value: Double?
    /// Why a trial failed.
    public var reason: String?
    /// Intermediate values by step (an epoch number, from 1).
    public var intermediate: [Int: Double]
    /// The worker process that runs or ran the trial.
    public var worker: WorkerIdentity?
    /// When the trial started (or was queued), last showed life, and finished.
    public var started: Date?
    public var heartbeat: Date?
    public var finished: Date?
    /// The number of the trial whose parameters this one runs again (after its worker died).
    public var retryOf: Int?

    public init(number: Int, state: TrialState, params: [String: ConfigValue], value: Double? = nil, reason: String? = nil,
                intermediate: [Int: Double] = [:], worker: WorkerIdentity? = nil, started: Date? = nil,
                heartbeat: Date? = nil, finished: Date? = nil, retryOf: Int? = nil) {
        self.number = number
        self.state = state
        self.params = params
        self.value = value
        self.reason = reason
        self.intermediate = intermediate
        self.worker = worker
        self.started = started
        self.heartbeat = heartbeat
        self.finished = finished
        self.retryOf = retryOf
    }

    /// The last step reported, and its value.
    public var lastIntermediate: (step: Int, value: Double)? {
        intermediate.max { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Seconds from start to finish (nil while running).
    public var duration: Double? {
        guard let started, let finished else { return nil }
        return finished.timeIntervalSince(started)
    }

    /// `{lr: 0.001, units: 64}`: the parameters sorted by name, numbers shortened.
    public var paramsDescription: String {
        "{" + params.keys.sorted().map { "\($0): \(Self.describe(params[$0]!))" }.joined(separator: ", ") + "}"
    }

    static func describe(_ value: ConfigValue) -> String {
        switch value {
        case .double(let d): return String(format: "%.4g", d)
        case .string(let s): return s
        default: return value.description
        }
    }
}

/// The process running a trial: enough to tell, later, whether it is still alive.
public struct WorkerIdentity: Sendable, Equatable, Codable {
    public var pid: Int32
    public var host: String

    public init(pid: Int32, host: String) {
        self.pid = pid
        self.host = host
    }

    /// This process.
    public static var current: WorkerIdentity {
        WorkerIdentity(pid: getpid(), host: ProcessInfo.processInfo.hostName)
    }

    /// Whether the process is known to be gone: it ran on this host and no process has its id,
    /// or only a zombie does (an ended process nobody has reaped yet, as in containers whose
    /// first process does not reap orphans). A worker on another host is judged by its
    /// heartbeat instead.
    public var isDeadOnThisHost: Bool {
        guard host == ProcessInfo.processInfo.hostName else { return false }
        if kill(pid, 0) != 0 { return errno == ESRCH }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let afterName = stat.range(of: ") ", options: .backwards) else { return false }
        let state = stat[afterName.upperBound...].first
        return state == "Z" || state == "X"
    }
}
