import Foundation
import LeptonSQL

/// The platform's domain in one place: its data folder, store, keys, audit log and datasets.
/// The HTTP server and the `lepton platform` commands are thin layers over this type.
///
/// Data folder layout: `platform.db` (SQLite, WAL), `master-keys/` (0700, one 0600 file per
/// master key), `datasets/<id>/<blob>.blob` and `models/<id>/<blob>.blob` (encrypted),
/// `uploads/` (in progress), `jobs/<id>/` (one folder per training job).
///
/// ```swift
/// let (platform, admin) = try await Platform.initialize(dataFolder: url)
/// print("admin key: \(admin.token)")
/// ```
public final class Platform: Sendable {
    /// The data folder.
    public let dataFolder: URL
    /// Where state is kept.
    public let store: any PlatformStore
    /// API keys.
    public let keys: KeyService
    /// The audit log.
    public let audit: AuditLog
    /// Datasets.
    public let datasets: DatasetService
    /// Training jobs (started by ``JobScheduler/start()``).
    public let jobs: JobScheduler
    /// The model registry.
    public let models: ModelRegistry
    /// The marketplace.
    public let market: Marketplace
    /// Deployments (their desired state; the server supervises the replicas).
    public let deployments: DeploymentService

    /// The name of the workspace `initialize` creates.
    public static let defaultWorkspace = "default"
    /// The default largest upload: 8 GiB.
    public static let defaultMaxUploadBytes = 8 << 30

    /// Opens an initialised data folder.
    /// - Parameters:
    ///   - database: where the state is, a `postgresql://` URL (default: the SQLite file
    ///     `platform.db` in the data folder). Blobs and master keys stay in the data folder.
    ///   - runner: runs job attempts (default: child processes of this executable's `train` command).
    ///   - slots: CPU slots for jobs (default: the machine's cores).
    ///   - memoryMB: MiB of memory jobs may reserve (default: the machine's physical memory).
    ///   - jobFolderTTL: seconds after which a finished job's folder is removed (nil: kept).
    /// - Throws: ``PlatformError`` when the folder was not initialised (`lepton platform init`).
    public init(dataFolder: URL, database: String? = nil, maxUploadBytes: Int = Platform.defaultMaxUploadBytes,
                runner: (any JobRunner)? = nil, slots: Int? = nil, memoryMB: Int? = nil, jobFolderTTL: TimeInterval? = nil) throws {
        let marker = Self.initialisedMarker(dataFolder: dataFolder, database: database)
        guard FileManager.default.fileExists(atPath: marker.path) else {
            let flag = database.map { " --database \(SQLDatabases.redacted($0))" } ?? ""
            throw PlatformError(.badRequest, "\(dataFolder.path) is not a platform data folder (no \(marker.lastPathComponent)); run `lepton platform init --data \(dataFolder.path)\(flag)` first")
        }
        self.dataFolder = dataFolder
        let store = try SQLPlatformStore(url: database ?? dataFolder.appendingPathComponent("platform.db").path)
        self.store = store
        keys = KeyService(store: store)
        audit = AuditLog(store: store)
        let keyring = try MasterKeyring(folder: dataFolder.appendingPathComponent("master-keys"))
        let datasets = DatasetService(store: store, keyring: keyring, folder: dataFolder, maxUploadBytes: maxUploadBytes)
        datasets.removeUnfinishedUploads()
        self.datasets = datasets
        let models = ModelRegistry(store: store, keyring: keyring, folder: dataFolder)
        self.models = models
        market = Marketplace(store: store, registry: models)
        deployments = DeploymentService(store: store, registry: models, market: market)
        jobs = JobScheduler(store: store, datasets: datasets, models: models, runner: runner ?? LocalProcessRunner(command: [Self.currentExecutable, "train"]),
                            folder: dataFolder.appendingPathComponent("jobs"), slots: slots ?? ProcessInfo.processInfo.activeProcessorCount,
                            memoryMB: memoryMB ?? JobScheduler.machineMemoryMB, folderTTL: jobFolderTTL)
    }

    /// The file whose presence says the folder was initialised: the SQLite database, or for an
    /// external database a `database-external` file beside the master keys.
    private static func initialisedMarker(dataFolder: URL, database: String?) -> URL {
        dataFolder.appendingPathComponent(database == nil ? "platform.db" : "database-external")
    }

    /// The absolute path of the running executable (the `lepton` binary when served by it).
    public static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Creates a data folder: the database, a first master key, the `default` workspace and its
    /// first admin key, whose token is returned to be shown once.
    /// - Throws: ``PlatformError`` (`conflict`) when the folder holds a platform already.
    public static func initialize(dataFolder: URL, database: String? = nil) async throws -> (Platform, IssuedKey) {
        let marker = initialisedMarker(dataFolder: dataFolder, database: database)
        guard !FileManager.default.fileExists(atPath: marker.path) else {
            throw PlatformError(.conflict, "\(dataFolder.path) holds a platform already (\(marker.lastPathComponent) exists); create more keys with `lepton key create`")
        }
        try FileManager.default.createDirectory(at: dataFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let store = try SQLPlatformStore(url: database ?? dataFolder.appendingPathComponent("platform.db").path)
        if let database {
            guard try await store.workspaces().isEmpty else {
                throw PlatformError(.conflict, "\(SQLDatabases.redacted(database)) holds a platform already (it has workspaces); expected an empty database")
            }
            try Data("\(SQLDatabases.redacted(database))\n".utf8).write(to: marker)
        }
        let platform = try Platform(dataFolder: dataFolder, database: database)
        let issued = try await platform.createWorkspace(name: defaultWorkspace, source: "lepton platform init")
        return (platform, issued)
    }

    /// Creates a workspace with a first admin key (audited as an offline command).
    public func createWorkspace(name: String, source: String) async throws -> IssuedKey {
        guard !name.isEmpty, name.count <= 100 else {
            throw PlatformError(.badRequest, "a workspace name must have 1 to 100 characters")
        }
        let workspace = try await store.createWorkspace(name: name)
        let issued = try await keys.create(workspaceID: workspace.id, role: .admin, name: "\(name) admin")
        try await audit.record(AuditEntry(workspaceID: workspace.id, keyID: nil, action: "workspace.create", resource: "workspaces/\(workspace.id)",
                                          result: "ok", requestID: "-", source: source))
        return issued
    }
}
