import Foundation

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
    /// Largest batch one forward pass takes (requests with more rows are refused).
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

    /// Reads `<modelFolder>/config.json` over `defaults` (the defaults alone when there is no file).
    /// - Throws: ``ServeError`` naming the key, the value and what was expected.
    public static func load(modelFolder: URL, defaults: ModelConfig) throws -> ModelConfig {
        let url = modelFolder.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else { return defaults }
        let value: JSONValue
        do { value = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw ServeError.badRequest("\(fileName) is not valid JSON")
        }
        return try parse(value, defaults: defaults)
    }

    /// Applies a parsed configuration object to `defaults`.
    /// - Throws: ``ServeError`` for an unknown key or a value of the wrong kind or range.
    public static func parse(_ value: JSONValue, defaults: ModelConfig) throws -> ModelConfig {
        guard let object = value.objectValue else { throw ServeError.badRequest("\(fileName): expected a JSON object") }
        let known = ["max_batch_size", "dynamic_batching", "max_queue_size", "instance_count", "version_policy", "input", "output"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw ServeError.badRequest("\(fileName): unknown key '\(unknown)' (expected one of \(known.joined(separator: ", ")))")
        }
        func int(_ v: JSONValue?, _ key: String, minimum: Int) throws -> Int? {
            guard let v else { return nil }
            guard let i = v.intValue, i >= minimum else {
                throw ServeError.badRequest("\(fileName): \(key) must be an integer ≥ \(minimum), got \(v)")
            }
            return i
        }
        var config = defaults
        config.maxBatchSize = try int(object["max_batch_size"], "max_batch_size", minimum: 1) ?? config.maxBatchSize
        config.maxQueueSize = try int(object["max_queue_size"], "max_queue_size", minimum: 1) ?? config.maxQueueSize
        config.instanceCount = try int(object["instance_count"], "instance_count", minimum: 1) ?? config.instanceCount
        switch object["dynamic_batching"] {
        case nil: break
        case .bool(let on)?: config.dynamicBatching = on
        case .object(let batching)?:
            if let key = batching.keys.first(where: { $0 != "max_queue_delay_microseconds" }) {
                throw ServeError.badRequest("\(fileName): dynamic_batching.\(key) is not a setting (expected max_queue_delay_microseconds)")
            }
            config.dynamicBatching = true
            config.maxQueueDelayMicroseconds = try int(batching["max_queue_delay_microseconds"],
                                                       "dynamic_batching.max_queue_delay_microseconds", minimum: 0) ?? config.maxQueueDelayMicroseconds
        case let other?:
            throw ServeError.badRequest("\(fileName): dynamic_batching must be an object or false, got \(other)")
        }
        if let policy = object["version_policy"] { config.versionPolicy = try parsePolicy(policy) }
        config.inputNames = try names(object["input"], "input") ?? config.inputNames
        config.outputNames = try names(object["output"], "output") ?? config.outputNames
        return config
    }

    private static func parsePolicy(_ value: JSONValue) throws -> VersionPolicy {
        let expected = "expected {\"latest\": {\"num_versions\": N}}, {\"all\": {}} or {\"specific\": {\"versions\": [...]}}"
        guard let object = value.objectValue, object.count == 1, let (kind, body) = object.first else {
            throw ServeError.badRequest("\(fileName): version_policy: \(expected)")
        }
        switch kind {
        case "all": return .all
        case "latest":
            guard let n = body.objectValue?["num_versions"]?.intValue, n >= 1 else {
                throw ServeError.badRequest("\(fileName): version_policy.latest.num_versions must be an integer ≥ 1")
            }
            return .latest(n)
        case "specific":
            guard let list = body.objectValue?["versions"]?.arrayValue, !list.isEmpty else {
                throw ServeError.badRequest("\(fileName): version_policy.specific.versions must be a non-empty list of integers")
            }
            return .specific(try list.map {
                guard let v = $0.intValue, v >= 1 else {
                    throw ServeError.badRequest("\(fileName): version_policy.specific.versions: \($0) is not a version number ≥ 1")
                }
                return v
            })
        default:
            throw ServeError.badRequest("\(fileName): version_policy: unknown policy '\(kind)' (\(expected))")
        }
    }

    private static func names(_ value: JSONValue?, _ key: String) throws -> [String]? {
        guard let value else { return nil }
        guard let list = value.arrayValue else { throw ServeError.badRequest("\(fileName): \(key) must be a list of {\"name\": ...}") }
        return try list.enumerated().map { i, entry in
            guard let name = entry.objectValue?["name"]?.stringValue, !name.isEmpty else {
                throw ServeError.badRequest("\(fileName): \(key)[\(i)] must be an object with a non-empty \"name\"")
            }
            return name
        }
    }
}
