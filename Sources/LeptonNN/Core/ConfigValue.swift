import Foundation

/// A JSON/YAML-like value: layer configurations in model files and training configs.
public enum ConfigValue: Sendable, Equatable, Codable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([ConfigValue])
    case object([String: ConfigValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([ConfigValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: ConfigValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return "\(b)"
        case .int(let i): return "\(i)"
        case .double(let d): return "\(d)"
        case .string(let s): return "\"\(s)\""
        case .array(let a): return "[" + a.map(\.description).joined(separator: ", ") + "]"
        case .object(let o): return "{" + o.keys.sorted().map { "\($0): \(o[$0]!)" }.joined(separator: ", ") + "}"
        }
    }
}

/// A configuration error: which key, what value, what was expected.
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Typed access to a configuration object, with errors that name the key, the value found and
/// what was expected (`layers[2].units: expected a positive integer, got "ten"`).
public struct ConfigReader {
    /// The object read.
    public let values: [String: ConfigValue]
    /// Where it sits in the document (`"model.layers[2]"`), for messages.
    public let path: String
    /// The most parameters the layer read from this config may create
    /// (see ``LayerRegistry/makeLayers(_:path:)``).
    public let parameterBudget: Int
    private var used: Set<String> = []

    public init(_ values: [String: ConfigValue], path: String, parameterBudget: Int = LayerLimits.maxParameters) {
        self.values = values
        self.path = path
        self.parameterBudget = parameterBudget
    }

    /// Reads an object-valued config.
    public init(_ value: ConfigValue, path: String) throws {
        guard case .object(let o) = value else { throw ConfigError("\(path): expected a mapping of keys to values, got \(value)") }
        self.init(o, path: path)
    }

    /// `k` with this config's path in front, as error messages name a key (`layers.2.units`).
    public func key(_ k: String) -> String { path.isEmpty ? k : "\(path).\(k)" }

    /// The raw value of `key`, if present and not null.
    public func raw(_ key: String) -> ConfigValue? {
        guard let v = values[key], v != .null else { return nil }
        return v
    }

    public func int(_ name: String) throws -> Int? {
        guard let v = raw(name) else { return nil }
        switch v {
        case .int(let i): return i
        // 2^63 is the first double beyond Int: larger values (1e19) would trap in Int(d).
        case .double(let d) where d == d.rounded() && d.magnitude < 0x1p63: return Int(d)
        default: throw ConfigError("\(key(name)): expected an integer, got \(v)")
        }
    }

    public func int(_ name: String, default value: Int, minimum: Int? = nil) throws -> Int {
        let v = try int(name) ?? value
        if let minimum, v < minimum { throw ConfigError("\(key(name)): expected an integer ≥ \(minimum), got \(v)") }
        return v
    }

    public func requiredInt(_ name: String, minimum: Int? = nil) throws -> Int {
        guard let v = try int(name) else { throw ConfigError("\(key(name)): missing (expected an integer)") }
        if let minimum, v < minimum { throw ConfigError("\(key(name)): expected an integer ≥ \(minimum), got \(v)") }
        return v
    }

    public func double(_ name: String) throws -> Double? {
        guard let v = raw(name) else { return nil }
        switch v {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: throw ConfigError("\(key(name)): expected a number, got \(v)")
        }
    }

    public func float(_ name: String, default value: Float) throws -> Float {
        try double(name).map(Float.init) ?? value
    }

    public func bool(_ name: String, default value: Bool) throws -> Bool {
        guard let v = raw(name) else { return value }
        guard case .bool(let b) = v else { throw ConfigError("\(key(name)): expected true or false, got \(v)") }
        return b
    }

    public func string(_ name: String) throws -> String? {
        guard let v = raw(name) else { return nil }
        guard case .string(let s) = v else { throw ConfigError("\(key(name)): expected a string, got \(v)") }
        return s
    }

    public func requiredString(_ name: String) throws -> String {
        guard let s = try string(name) else { throw ConfigError("\(key(name)): missing (expected a string)") }
        return s
    }

    /// A list of integers, or one integer repeated `count` times (`kernel_size: 3` → `[3, 3]`).
    public func ints(_ name: String, count: Int? = nil) throws -> [Int]? {
        guard let v = raw(name) else { return nil }
        switch v {
        case .int(let i): return Array(repeating: i, count: count ?? 1)
        case .array(let a):
            let ints = a.compactMap { item -> Int? in if case .int(let i) = item { return i }; return nil }
            guard ints.count == a.count, count == nil || ints.count == count else {
                throw ConfigError("\(key(name)): expected \(count.map { "\($0) integers" } ?? "a list of integers"), got \(v)")
            }
            return ints
        default:
            throw ConfigError("\(key(name)): expected \(count.map { "\($0) integers" } ?? "a list of integers"), got \(v)")
        }
    }

    public func strings(_ name: String) throws -> [String]? {
        guard let v = raw(name) else { return nil }
        if case .string(let s) = v { return [s] }
        guard case .array(let a) = v else { throw ConfigError("\(key(name)): expected a list of strings, got \(v)") }
        return try a.map { item in
            guard case .string(let s) = item else { throw ConfigError("\(key(name)): expected a list of strings, got \(v)") }
            return s
        }
    }

    /// A value from a fixed set of names (an enum's raw values).
    public func choice<E: RawRepresentable & CaseIterable>(_ name: String, default value: E) throws -> E where E.RawValue == String {
        guard let s = try string(name) else { return value }
        if let e = E(rawValue: s) ?? E.allCases.first(where: { Self.normalise($0.rawValue) == Self.normalise(s) }) { return e }
        throw ConfigError("\(key(name)): unknown value \"\(s)\"; expected one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
    }

    /// Keras spells keys in snake_case, Swift in camelCase; both are accepted.
    static func normalise(_ s: String) -> String { s.replacingOccurrences(of: "_", with: "").lowercased() }

    /// Fails when the object has keys outside `known` (catches typos such as `unit:`).
    public func rejectUnknownKeys(_ known: [String]) throws {
        let knownSet = Set(known.map(Self.normalise))
        let unknown = values.keys.filter { !knownSet.contains(Self.normalise($0)) }.sorted()
        if !unknown.isEmpty {
            throw ConfigError("\(path): unknown key\(unknown.count > 1 ? "s" : "") \(unknown.joined(separator: ", ")); expected keys are \(known.joined(separator: ", "))")
        }
    }
}
