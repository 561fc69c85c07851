import Foundation

/// The repository's routing table: which versions of which models serve requests, and why the
/// others do not. Guarded by a lock so request handlers read it without an actor hop.
final class LockedTable: @unchecked Sendable {
    private let lock = NSLock()
    private var served: [String: [Int: ServedModel]] = [:]
    private var reasons: [String: [Int: String]] = [:]
    private var modelReasons: [String: String] = [:]

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Puts a freshly loaded model in place; returns the versions it replaces.
    func replace(_ name: String, with versions: [Int: ServedModel], reasons versionReasons: [Int: String], modelReason: String?) -> [ServedModel] {
        locked {
            let old = Array((served[name] ?? [:]).values)
            served[name] = versions
            reasons[name] = versionReasons.filter { versions[$0.key] == nil }
            modelReasons[name] = modelReason
            return old
        }
    }

    /// Takes a model out of service; returns the versions that were serving.
    func unload(_ name: String) -> [ServedModel] {
        locked {
            let old = served[name] ?? [:]
            served[name] = [:]
            var versionReasons = reasons[name] ?? [:]
            for version in old.keys { versionReasons[version] = "unloaded" }
            reasons[name] = versionReasons
            if old.isEmpty && versionReasons.isEmpty { modelReasons[name] = "unloaded" }
            return old.keys.sorted().map { old[$0]! }
        }
    }

    func contains(_ name: String) -> Bool { locked { served[name] != nil || modelReasons[name] != nil } }

    func names() -> [String] { locked { served.keys.sorted() } }

    func allServed() -> [ServedModel] {
        locked { served.keys.sorted().flatMap { name in served[name]!.keys.sorted().map { served[name]![$0]! } } }
    }

    func index(folders: [String]) -> [ModelRepository.IndexEntry] {
        locked {
            Set(folders).union(served.keys).union(modelReasons.keys).sorted().flatMap { name -> [ModelRepository.IndexEntry] in
                var entries: [ModelRepository.IndexEntry] = []
                if let reason = modelReasons[name] {
                    entries.append(.init(name: name, version: nil, state: .unavailable, reason: reason))
                }
                let versions = Set((served[name] ?? [:]).keys).union((reasons[name] ?? [:]).keys).sorted()
                for v in versions {
                    if served[name]?[v] != nil {
                        entries.append(.init(name: name, version: String(v), state: .ready, reason: ""))
                    } else {
                        entries.append(.init(name: name, version: String(v), state: .unavailable, reason: reasons[name]?[v] ?? ""))
                    }
                }
                if entries.isEmpty { entries.append(.init(name: name, version: nil, state: .unavailable, reason: "not loaded")) }
                return entries
            }
        }
    }

    func lookup(_ name: String, version: String?, folders: () -> [String]) throws -> ServedModel {
        let found: Result<ServedModel, ServeError>? = locked {
            guard let versions = served[name] else { return nil }
            let versionReasons = reasons[name] ?? [:]
            if let version {
                guard let v = Int(version), v >= 1 else {
                    return .failure(.notFound("model '\(name)' has no version '\(version)' (versions are positive integers)"))
                }
                if let model = versions[v] { return .success(model) }
                if let reason = versionReasons[v] {
                    return .failure(.notFound("model '\(name)' version \(v) is not available: \(reason)"))
                }
                let known = Set(versions.keys).union(versionReasons.keys).sorted().map(String.init).joined(separator: ", ")
                return .failure(.notFound("model '\(name)' has no version \(v) (versions: \(known.isEmpty ? "none" : known))"))
            }
            if let newest = versions.keys.max() { return .success(versions[newest]!) }
            let why = modelReasons[name] ?? versionReasons.keys.sorted().map { "version \($0): \(versionReasons[$0]!)" }.joined(separator: "; ")
            return .failure(.notFound("model '\(name)' is not available: \(why.isEmpty ? "unloaded" : why)"))
        }
        switch found {
        case .success(let model)?: return model
        case .failure(let error)?: throw error
        case nil:
            let names = folders()
            if names.contains(name) {
                throw ServeError.notFound("model '\(name)' is not loaded (POST /v2/repository/models/\(name)/load loads it)")
            }
            throw ServeError.notFound("unknown model '\(name)' (the repository has: \(names.isEmpty ? "no models" : names.joined(separator: ", ")))")
        }
    }
}
