import Foundation
import LeptonFiles

/// Which versions of a model to serve.
public enum VersionPolicy: Sendable, Equatable {
    /// The highest `n` versions.
    case latest(Int)
    /// Every version folder.
    case all
    /// Exactly these versions.
    case specific([Int])

    /// The versions to serve out of those present.
    public func select(from available: [Int]) -> [Int] {
        let sorted = available.sorted()
        switch self {
        case .latest(let n): return Array(sorted.suffix(n))
        case .all: return sorted
        case .specific(let wanted): return sorted.filter(wanted.contains)
        }
    }
}

/// How one model is served: batching, queue bound, concurrency, versions, tensor names.
///
/// Read from the optional `<repo>/<model>/config.json`, on top of the server's defaults:
///
/// ```json
/// {"max_batch_size": 64, "dynamic_batching": {"max_queue_delay_microseconds": 500},
///  "max_queue_size": 1024, "instance_count": 1,
///  "version_policy": {"latest": {"num_versions": 2}},
///  "input": [{"name": "image"}], "output": [{"name": "probabilities"}]}
/// ```
/// `"dynamic_batching": false` turns batching off; `{"specific": {"versions": [1, 3]}}` and
/// `{"all": {}}` are the other version policies.
public struct ModelConfig: Sendable, Equatable {
    /// Largest batch one forward pass takes (requests with more rows are refused); 0 turns
    /// batching off as in Triton: shapes are taken literally and each request runs alone. A
    /// model whose inputs have no batch dimension is always served with 0.
    public var maxBatchSize: Int
    /// Whether concurrent requests are merged into one forward pass.
    public var dynamicBatching: Bool
    /// Longest time the first request of a batch waits for more to join, in microseconds.
    public var maxQueueDelayMicroseconds: Int
    /// Most requests waiting in the queue; one more is answered 503.
    public var maxQueueSize: Int
    /// Forward passes of this model that may run at once.
    public var instanceCount: Int
    /// Which versions to serve.
    public var versionPolicy: VersionPolicy
    /// Names for the model's inputs, in order (nil: the backend's names).
    public var inputNames: [String]?
    /// Names for the model's outputs, in order (nil: the backend's names).
    public var outputNames: [String]?

    /// The server's defaults: batches of up to 64, 500 µs delay, 1,024 queued requests, one instance, the latest version.
    public init(maxBatchSize: Int = 64, dynamicBatching: Bool = true, maxQueueDelayMicroseconds: Int = 500,
                maxQueueSize: Int = 1024, instanceCount: Int = 1, versionPolicy: VersionPolicy = .latest(1),
                inputNames: [String]? = nil, outputNames: [String]? = nil) {
        self.maxBatchSize = maxBatchSize
        self.dynamicBatching = dynamicBatching
        self.maxQueueDelayMicroseconds = maxQueueDelayMicroseconds
        self.maxQueueSize = maxQueueSize
        self.instanceCount = instanceCount
        self.versionPolicy = versionPolicy
        self.inputNames = inputNames
        self.outputNames = outputNames
    }

    /// The configuration file's name inside a model folder.
    public static let fileName = "config.json"

    /// The accepted range of each numeric setting (config files, load requests and the
    /// `lepton serve` flags alike): beyond these a setting is refused, never clamped, so a
    /// hostile value cannot overflow the batcher's clock arithmetic or allocate without bound.
    public enum Limits {
        /// `max_batch_size`: rows of one forward pass; 0 is Triton's "no batching" (shapes taken literally).
        public static let maxBatchSize = 0...65_536
        /// `dynamic_batching.max_queue_delay_microseconds`: up to one minute.
        public static let maxQueueDelayMicroseconds = 0...60_000_000
        /// `max_queue_size`: requests waiting per model version.
        public static let maxQueueSize = 1...100_000
        /// `instance_count`: forward passes at once (each instance is a worker thread).
        public static let instanceCount = 1...64
        /// `version_policy.latest.num_versions` and the numbers of `version_policy.specific.versions`.
        public static let versions = 1...1_000_000
    }

    /// Checks every numeric setting against ``Limits``.
    /// - Parameter source: where the settings came from, named in the error.
    /// - Throws: ``ServeError`` (400) naming the setting, its value and the accepted range.
    public func checked(source: String = fileName) throws -> ModelConfig {
        let settings: [(String, Int, ClosedRange<Int>)] = [
            ("max_batch_size", maxBatchSize, Limits.maxBatchSize),
            ("dynamic_batching.max_queue_delay_microseconds", maxQueueDelayMicroseconds, Limits.maxQueueDelayMicroseconds),
            ("max_queue_size", maxQueueSize, Limits.maxQueueSize),
            ("instance_count", instanceCount, Limits.instanceCount),
        ]
        for (key, value, range) in settings where !range.contains(value) {
            throw ServeError.badRequest("\(source): \(key) must be an integer in \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
        return self
    }

    /// Reads `<modelFolder>/config.json` over `defaults` (the defaults alone when there is no file).
    /// - Throws: ``ServeError`` naming the key, the value and what was expected.
    public static func load(modelFolder: URL, defaults: ModelConfig) throws -> ModelConfig {
        let url = modelFolder.appendingPathComponent(fileName)
        guard let data = FileContents.read(atPath: url.path) else { return defaults }
        let value: JSONValue
        do { value = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw ServeError.badRequest("\(fileName) is not valid JSON")
        }
        return try parse(value, defaults: defaults)
    }

    /// Applies a parsed configuration object to `defaults`.
    /// - Parameter source: where the object came from, named in errors (`config.json`, or the
    ///   `parameters.config` of a load request).
    /// - Throws: ``ServeError`` for an unknown key or a value of the wrong kind or outside ``Limits``.
    public static func parse(_ value: JSONValue, defaults: ModelConfig, source: String = fileName) throws -> ModelConfig {
        guard let object = value.objectValue else { throw ServeError.badRequest("\(source): expected a JSON object") }
        let known = ["max_batch_size", "dynamic_batching", "max_queue_size", "instance_count", "version_policy", "input", "output"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw ServeError.badRequest("\(source): unknown key '\(unknown)' (expected one of \(known.joined(separator: ", ")))")
        }
        func int(_ v: JSONValue?, _ key: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let v else { return nil }
            guard let i = v.intValue, range.contains(i) else {
                throw ServeError.badRequest("\(source): \(key) must be an integer in \(range.lowerBound)...\(range.upperBound), got \(describe(v))")
            }
            return i
        }
        var config = defaults
        config.maxBatchSize = try int(object["max_batch_size"], "max_batch_size", Limits.maxBatchSize) ?? config.maxBatchSize
        config.maxQueueSize = try int(object["max_queue_size"], "max_queue_size", Limits.maxQueueSize) ?? config.maxQueueSize
        config.instanceCount = try int(object["instance_count"], "instance_count", Limits.instanceCount) ?? config.instanceCount
        switch object["dynamic_batching"] {
        case nil: break
        case .bool(let on)?: config.dynamicBatching = on
        case .object(let batching)?:
            if let key = batching.keys.first(where: { $0 != "max_queue_delay_microseconds" }) {
                throw ServeError.badRequest("\(source): dynamic_batching.\(key) is not a setting (expected max_queue_delay_microseconds)")
            }
            config.dynamicBatching = true
            config.maxQueueDelayMicroseconds = try int(batching["max_queue_delay_microseconds"], "dynamic_batching.max_queue_delay_microseconds",
                                                       Limits.maxQueueDelayMicroseconds) ?? config.maxQueueDelayMicroseconds
        case let other?:
            throw ServeError.badRequest("\(source): dynamic_batching must be an object or false, got \(describe(other))")
        }
        if let policy = object["version_policy"] { config.versionPolicy = try parsePolicy(policy, source: source) }
        config.inputNames = try names(object["input"], "input", source: source) ?? config.inputNames
        config.outputNames = try names(object["output"], "output", source: source) ?? config.outputNames
        return try config.checked(source: source)
    }

    /// A JSON value as an error message shows it (numbers as written, long values cut).
    static func describe(_ value: JSONValue) -> String {
        let text: String
        switch value {
        case .int(let i): text = String(i)
        case .double(let d): text = String(d)
        case .bool(let b): text = String(b)
        case .string(let s): text = "\"\(s)\""
        case .null: text = "null"
        case .array: text = "a list"
        case .object: text = "an object"
        }
        return text.count > 40 ? String(text.prefix(40)) + "…" : text
    }

    private static func parsePolicy(_ value: JSONValue, source: String) throws -> VersionPolicy {
        let expected = "expected {\"latest\": {\"num_versions\": N}}, {\"all\": {}} or {\"specific\": {\"versions\": [...]}}"
        guard let object = value.objectValue, object.count == 1, let (kind, body) = object.first else {
            throw ServeError.badRequest("\(source): version_policy: \(expected)")
        }
        let range = Limits.versions
        switch kind {
        case "all": return .all
        case "latest":
            guard let n = body.objectValue?["num_versions"]?.intValue, range.contains(n) else {
                throw ServeError.badRequest("\(source): version_policy.latest.num_versions must be an integer in \(range.lowerBound)...\(range.upperBound), got "
                                            + (body.objectValue?["num_versions"].map(describe) ?? "nothing"))
            }
            return .latest(n)
        case "specific":
            guard let list = body.objectValue?["versions"]?.arrayValue, !list.isEmpty else {
                throw ServeError.badRequest("\(source): version_policy.specific.versions must be a non-empty list of integers")
            }
            return .specific(try list.map {
                guard let v = $0.intValue, range.contains(v) else {
                    throw ServeError.badRequest("\(source): version_policy.specific.versions: \(describe($0)) is not a version number in \(range.lowerBound)...\(range.upperBound)")
                }
                return v
            })
        default:
            throw ServeError.badRequest("\(source): version_policy: unknown policy '\(kind)' (\(expected))")
        }
    }

    private static func names(_ value: JSONValue?, _ key: String, source: String) throws -> [String]? {
        guard let value else { return nil }
        guard let list = value.arrayValue else { throw ServeError.badRequest("\(source): \(key) must be a list of {\"name\": ...}") }
        return try list.enumerated().map { i, entry in
            guard let name = entry.objectValue?["name"]?.stringValue, !name.isEmpty else {
                throw ServeError.badRequest("\(source): \(key)[\(i)] must be an object with a non-empty \"name\"")
            }
            return name
        }
    }
}
