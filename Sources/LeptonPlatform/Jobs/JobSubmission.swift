import Foundation
import LeptonJobs

/// What a client sends to submit a job, checked before anything is queued: the config must be
/// a valid training config, every input a dataset version of the workspace, and the resources
/// within the scheduler's.
public struct JobSubmission: Codable, Sendable {
    /// The training config, YAML (its `output` is replaced by the job's folder).
    public var config: String
    /// The dataset versions to place under the job's data folder.
    public var inputs: [JobInput]
    /// Higher runs first (default 0).
    public var priority: Int?
    /// CPU slots (default 1).
    public var cpus: Int?
    /// Memory the job reserves while running, in MiB (nil: none reserved; JSON `memory_mb`).
    public var memoryMB: Int?
    /// Failed attempts retried (default 0, at most 10).
    public var maxRetries: Int?
    /// The registry model the trained model becomes a version of (default: the job id).
    public var modelName: String?

    /// The API's snake-case JSON (`memory_mb`) arrives as `memoryMb` under `.convertFromSnakeCase`.
    enum CodingKeys: String, CodingKey {
        case config, inputs, priority, cpus, maxRetries, modelName
        case memoryMB = "memoryMb"
    }

    /// Creates a submission.
    public init(config: String, inputs: [JobInput], priority: Int? = nil, cpus: Int? = nil, memoryMB: Int? = nil, maxRetries: Int? = nil,
                modelName: String? = nil) {
        self.modelName = modelName
        self.config = config
        self.inputs = inputs
        self.priority = priority
        self.cpus = cpus
        self.memoryMB = memoryMB
        self.maxRetries = maxRetries
    }

    /// Checks the config and the numbers.
    /// - Parameters:
    ///   - slots: the scheduler's CPU slots (a job may not ask for more).
    ///   - memoryMB: the scheduler's memory in MiB (a job may not reserve more).
    /// - Throws: ``PlatformError`` (`badRequest`) naming the field and what was expected.
    func validate(slots: Int, memoryMB capacity: Int) throws {
        guard config.utf8.count <= 1 << 20 else { throw PlatformError(.badRequest, "config: at most 1 MiB of YAML") }
        do { _ = try TrainingConfig(try YAMLDocument.parse(config), file: "job.yaml") } catch {
            throw PlatformError(.badRequest, "config: not a valid training config: \(error)")
        }
        let cpus = self.cpus ?? 1
        guard (1...slots).contains(cpus) else { throw PlatformError(.badRequest, "cpus: expected 1...\(slots) (the scheduler's slots), got \(cpus)") }
        if let memoryMB, !(1...capacity).contains(memoryMB) {
            throw PlatformError(.badRequest, "memory_mb: expected 1...\(capacity) MiB (the scheduler's memory), got \(memoryMB)")
        }
        guard (0...10).contains(maxRetries ?? 0) else { throw PlatformError(.badRequest, "max_retries: expected 0...10, got \(maxRetries ?? 0)") }
        guard (-1000...1000).contains(priority ?? 0) else { throw PlatformError(.badRequest, "priority: expected -1000...1000, got \(priority ?? 0)") }
        guard inputs.count <= 64 else { throw PlatformError(.badRequest, "inputs: at most 64 dataset versions") }
        for input in inputs {
            let parts = input.file.split(separator: "/", omittingEmptySubsequences: false)
            guard !input.file.isEmpty, input.file.count <= 200, !input.file.hasPrefix("/"),
                  parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && $0.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) } }) else {
                throw PlatformError(.badRequest, "inputs: file \"\(input.file)\" must be a relative path of letters, digits, '-', '_', '.' (such as mnist/train-images-idx3-ubyte)")
            }
        }
    }
}
