import Foundation
import LeptonNN

/// Something a YAML config can name: a dataset or a callback.
public protocol RegistryEntry: Sendable {
    /// The names it is known by, the first shown in messages; matched without regard to case,
    /// `_` or `-` (`fashion_mnist` = `Fashion-MNIST`).
    var names: [String] { get }
}

/// Names → entries for YAML configs (``DatasetRegistry``, ``CallbackRegistry``): the built-in
/// entries are registered, ``register(_:)`` adds a project's own, so that a config names them
/// without a switch statement anywhere. Guarded by a lock.
public final class Registry<Entry: RegistryEntry>: @unchecked Sendable {
    private var entries: [String: Entry] = [:]
    private var order: [String] = []
    private let lock = NSLock()
    /// What an entry is, in messages (`"dataset"`, `"callback"`).
    public let kind: String

    /// A registry of `kind` holding `builtins`.
    public init(kind: String, _ builtins: [Entry]) {
        self.kind = kind
        for entry in builtins { register(entry) }
    }

    /// Adds `entry` under each of its names, replacing an entry of the same name.
    public func register(_ entry: Entry) {
        lock.lock(); defer { lock.unlock() }
        for name in entry.names {
            if entries[Self.key(name)] == nil, name == entry.names.first { order.append(name) }
            entries[Self.key(name)] = entry
        }
    }

    /// The first name of every entry, in registration order.
    public var names: [String] {
        lock.lock(); defer { lock.unlock() }
        return order
    }

    /// The entry called `name`.
    /// - Throws: ``ConfigError`` at `path` listing the known names.
    public func entry(named name: String, path: String) throws -> Entry {
        lock.lock()
        let entry = entries[Self.key(name)]
        lock.unlock()
        guard let entry else {
            throw ConfigError("\(path): unknown \(kind) \"\(name)\"; expected one of \(names.joined(separator: ", "))")
        }
        return entry
    }

    private static func key(_ name: String) -> String {
        name.lowercased().filter { $0 != "_" && $0 != "-" }
    }
}
