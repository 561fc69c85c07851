import Foundation
import Logging

/// The model repository: a folder `<root>/<model>/<version>/` of model files, each version
/// loaded by the first ``InferenceModelLoader`` that recognises it, with an optional
/// `<root>/<model>/config.json` (``ModelConfig``).
///
/// Loading and unloading happen one at a time (the actor); finding a model for a request reads
/// a lock-protected table, so requests never wait behind a load. A model that fails to load is
/// kept in the index with its reason while the others keep serving.
public actor ModelRepository {
    /// The state of a model version in the index.
    public enum State: String, Sendable, Codable {
        /// Serving requests.
        case ready = "READY"
        /// Not serving (never loaded, unloaded, or failed to load: see the reason).
        case unavailable = "UNAVAILABLE"
    }

    /// One line of the repository index.
    public struct IndexEntry: Sendable, Codable, Equatable {
        /// The model's name.
        public var name: String
        /// The version, or nil when the model as a whole could not be read.
        public var version: String?
        /// READY or UNAVAILABLE.
        public var state: State
        /// Why it is unavailable ("" when ready).
        public var reason: String

        /// Creates an index entry.
        public init(name: String, version: String?, state: State, reason: String) {
            self.name = name
            self.version = version
            self.state = state
            self.reason = reason
        }
    }

    private struct VersionStatus {
        var served: ServedModel?
        var reason: String
    }

    private struct ModelStatus {
        var versions: [Int: VersionStatus] = [:]
        var reason: String?
    }

    /// The repository folder.
    public nonisolated let root: URL
    private let loaders: [any InferenceModelLoader]
    private let loadCheck: (any ModelLoadCheck)?
    private let defaults: ModelConfig
    private let metrics: ServeMetrics?
    private let logger: Logger
    private nonisolated let table = LockedTable()

    /// Creates a repository over `root`; nothing is loaded until ``loadAll()`` or ``load(_:)``.
    /// - Parameter loadCheck: loads each version in a separate process before it is loaded in
    ///   this one (``ProcessLoadCheck``), so a model file that crashes its loader is reported
    ///   unavailable instead of stopping the server; nil loads in process only.
    public init(root: URL, loaders: [any InferenceModelLoader] = [ONNXModelLoader(), LeptonModelLoader()], defaults: ModelConfig = ModelConfig(),
                loadCheck: (any ModelLoadCheck)? = nil,
                metrics: ServeMetrics? = nil, logger: Logger = Logger(label: "lepton.serve.repository")) {
        self.root = root
        self.loaders = loaders
        self.loadCheck = loadCheck
        self.defaults = defaults
        self.metrics = metrics
        self.logger = logger
    }

    /// The model folders in the repository, sorted.
    public nonisolated func modelNames() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { name in
            var isDirectory: ObjCBool = false
            return !name.hasPrefix(".") && FileManager.default.fileExists(atPath: root.appendingPathComponent(name).path, isDirectory: &isDirectory) && isDirectory.boolValue
        }.sorted()
    }

    /// Loads every model in the repository (failures are recorded in the index, not thrown).
    public func loadAll() async {
        for name in modelNames() {
            do { try await load(name) } catch {
                logger.warning("model failed to load", metadata: ["model": "\(name)", "reason": "\(error)"])
            }
        }
    }

    /// Loads (or reloads) a model: reads its config (with `override`, a configuration object sent
    /// with the load request, on top), picks versions by the version policy and loads them.
    /// Versions served before and no longer picked are unloaded after the new ones are in place.
    /// - Throws: ``ServeError`` 404 when the repository has no such model folder, 400 when
    ///   `override` has a bad setting (nothing changes then) or the model or every picked version
    ///   fails to load (the index keeps the reason).
    public func load(_ name: String, override: JSONValue? = nil) async throws {
        let folder = root.appendingPathComponent(name)
        guard modelNames().contains(name) else {
            throw ServeError.notFound("the repository \(root.path) has no model folder '\(name)'")
        }
        // A load request whose own settings are out of range is refused before anything changes.
        if let override { _ = try ModelConfig.parse(override, defaults: defaults.checked(source: "the server's defaults"), source: "parameters.config") }
        var status = ModelStatus()
        var failure: String?
        do {
            var config = try ModelConfig.load(modelFolder: folder, defaults: defaults.checked(source: "the server's defaults"))
            if let override { config = try ModelConfig.parse(override, defaults: config, source: "parameters.config") }
            let available = versionNumbers(in: folder)
            guard !available.isEmpty else {
                throw ServeError.badRequest("no version folders (expected \(name)/<n>/ holding a model, n ≥ 1)")
            }
            let picked = config.versionPolicy.select(from: available)
            guard !picked.isEmpty else {
                throw ServeError.badRequest("the version policy picks none of the versions \(available)")
            }
            for version in available where !picked.contains(version) {
                status.versions[version] = VersionStatus(served: nil, reason: "not selected by the version policy")
            }
            for version in picked {
                let versionFolder = folder.appendingPathComponent(String(version))
                do {
                    guard let loader = loaders.first(where: { $0.canLoad(versionFolder) }) else {
                        throw ServeError.badRequest("no model file recognised (expected a Lepton model folder with model.json)")
                    }
                    if let loadCheck, let reason = loadCheck.check(versionFolder) { throw ServeError.badRequest(reason) }
                    let model = try loader.load(versionFolder, config: config)
                    status.versions[version] = VersionStatus(served: ServedModel(name: name, version: version, model: model,
                                                                                 config: config, metrics: metrics), reason: "")
                    logger.info("model loaded", metadata: ["model": "\(name)", "version": "\(version)", "platform": "\(model.platform)"])
                } catch {
                    status.versions[version] = VersionStatus(served: nil, reason: "failed to load: \(error)")
                    logger.warning("model version failed to load", metadata: ["model": "\(name)", "version": "\(version)", "reason": "\(error)"])
                }
            }
            if !picked.contains(where: { status.versions[$0]?.served != nil }) {
                failure = "model '\(name)' failed to load: " + picked.map { "version \($0): \(status.versions[$0]?.reason ?? "")" }.joined(separator: "; ")
            }
        } catch {
            status.reason = "failed to load: \(error)"
            failure = "model '\(name)' failed to load: \(error)"
        }
        let old = table.replace(name, with: status.versions.compactMapValues(\.served), reasons: status.versions.mapValues(\.reason), modelReason: status.reason)
        for served in old { await served.batcher.close(reason: "model '\(name)' version \(served.version) was unloaded") }
        if let failure { throw ServeError.badRequest(failure) }
    }

    /// Unloads every version of a model: new requests get 404, queued ones are answered first.
    /// - Throws: ``ServeError`` 404 for a model neither in the repository nor loaded.
    public func unload(_ name: String) async throws {
        guard table.contains(name) || modelNames().contains(name) else {
            throw ServeError.notFound("unknown model '\(name)'")
        }
        let old = table.unload(name)
        for served in old { await served.batcher.close(reason: "model '\(name)' version \(served.version) was unloaded") }
        logger.info("model unloaded", metadata: ["model": "\(name)"])
    }

    /// Unloads every model, answering queued requests first (graceful shutdown).
    public func unloadAll() async {
        for name in table.names() { try? await unload(name) }
    }

    /// The index: every model folder and every known version with its state and reason.
    public nonisolated func index() -> [IndexEntry] {
        table.index(folders: modelNames())
    }

    /// The served model for a request.
    /// - Parameters:
    ///   - name: The model's name.
    ///   - version: The version asked for, or nil for the highest ready one.
    /// - Throws: ``ServeError`` 404 naming what is unknown or not loaded, and why.
    public nonisolated func served(_ name: String, version: String? = nil) throws -> ServedModel {
        try table.lookup(name, version: version, folders: { self.modelNames() })
    }

    /// Every ready model version, sorted by name and version.
    public nonisolated func readyModels() -> [ServedModel] { table.allServed() }

    private func versionNumbers(in folder: URL) -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.compactMap { name -> Int? in
            guard let v = Int(name), v >= 1, String(v) == name else { return nil }
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path, isDirectory: &isDirectory)
            return exists && isDirectory.boolValue ? v : nil
        }.sorted()
    }
}
