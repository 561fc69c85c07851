import Foundation

/// Where a job is in its life: queued → running → succeeded, failed or cancelled (a failed
/// attempt with retries left goes back to queued).
public enum JobState: String, Codable, Sendable, CaseIterable {
    case queued, running, succeeded, failed, cancelled

    /// Whether the job is over.
    public var isTerminal: Bool { self == .succeeded || self == .failed || self == .cancelled }
}

/// A dataset version a job reads, placed at `file` under the job's data folder
/// (`LEPTON_DATA_DIR`), such as `mnist/train-images-idx3-ubyte`.
public struct JobInput: Codable, Sendable, Equatable {
    /// The path under the job's data folder.
    public let file: String
    /// The dataset id.
    public let dataset: String
    /// The version number.
    public let version: Int

    /// Creates an input.
    public init(file: String, dataset: String, version: Int) {
        self.file = file
        self.dataset = dataset
        self.version = version
    }
}

/// A training job: a YAML training config (as `lepton train` reads it), the dataset versions it
/// reads, its resources, priority and retry budget, and its progress.
public struct Job: Codable, Sendable, Equatable {
    /// Its id (`job_…`).
    public let id: String
    /// The owning workspace.
    public let workspaceID: String
    /// The key that submitted it.
    public let submittedBy: String
    /// The training config, YAML.
    public let config: String
    /// The dataset versions it reads.
    public let inputs: [JobInput]
    /// Higher runs first.
    public let priority: Int
    /// CPU slots it holds while running.
    public let cpus: Int
    /// Memory it reserves while running, in MiB (nil: none reserved).
    public let memoryMB: Int?
    /// Failed attempts that are retried.
    public let maxRetries: Int
    /// Where it is.
    public var state: JobState
    /// Attempts started so far.
    public var attempts: Int
    /// The running attempt's id: its process id (``LocalProcessRunner``) or its Slurm job id (``SlurmRunner``).
    public var pid: Int?
    /// The last attempt's exit status.
    public var exitCode: Int?
    /// Why it ended (or why the last attempt failed).
    public var message: String?
    /// Not started again before this time (retry backoff).
    public var notBefore: Date?
    /// When it was submitted.
    public let created: Date
    /// When its last attempt started.
    public var started: Date?
    /// When it ended.
    public var finished: Date?
    /// The registry model its trained model is registered under (default: the job id).
    public var modelName: String?
    /// Where its model was registered: `<model id> version <n>`.
    public var registeredModel: String?

    /// Creates a queued job.
    public init(id: String, workspaceID: String, submittedBy: String, config: String, inputs: [JobInput], priority: Int, cpus: Int,
                memoryMB: Int? = nil, maxRetries: Int, created: Date) {
        self.id = id
        self.workspaceID = workspaceID
        self.submittedBy = submittedBy
        self.config = config
        self.inputs = inputs
        self.priority = priority
        self.cpus = cpus
        self.memoryMB = memoryMB
        self.maxRetries = maxRetries
        state = .queued
        attempts = 0
        self.created = created
    }
}
