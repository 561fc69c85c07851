import ArgumentParser
import Foundation
import LeptonPlatform
import LeptonSQL

/// `lepton platform …`: the control plane's server-side commands (init, serve, workspace,
/// audit verify, rotate-key); they work on a data folder directly.
struct PlatformCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "platform",
        abstract: "Run and administer the Lepton platform control plane (keys, audit, encrypted datasets).",
        subcommands: [PlatformInitCommand.self, PlatformServeCommand.self, PlatformWorkspaceCommand.self,
                      PlatformAuditCommand.self, PlatformRotateKeyCommand.self, PlatformSeedMarketCommand.self]
    )
}

/// The `--data DIR [--database URL]` options of every `lepton platform` subcommand.
struct PlatformDataOption: ParsableArguments {
    @Option(help: ArgumentHelp("The platform's data folder (database, master keys, encrypted datasets).", valueName: "folder"))
    var data: String

    @Option(help: ArgumentHelp("Keep the platform's state in this PostgreSQL database, postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE (default: the SQLite file platform.db in the data folder). The same URL at init and every later command.",
                               valueName: "url"))
    var database: String?

    var url: URL { URL(fileURLWithPath: data) }

    func validate() throws {
        if let database, !SQLDatabases.isPostgres(database) {
            throw ValidationError("--database \(SQLDatabases.redacted(database)): expected a postgresql://USER@HOST:PORT/DATABASE URL (leave it out for the SQLite file in the data folder)")
        }
    }

    /// Opens the initialised platform in the folder.
    func open(maxUploadBytes: Int = Platform.defaultMaxUploadBytes) throws -> Platform {
        try Platform(dataFolder: url, database: database, maxUploadBytes: maxUploadBytes)
    }
}

/// `lepton platform init --data DIR`: creates the data folder and prints the first admin key once.
struct PlatformInitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a platform data folder and print its first admin key (shown this once)."
    )

    @OptionGroup var data: PlatformDataOption

    func run() async throws {
        let (platform, issued) = try await Platform.initialize(dataFolder: data.url, database: data.database)
        print("initialised \(platform.dataFolder.path) (workspace \(Platform.defaultWorkspace))")
        print("admin key: \(issued.token)")
        print("keep this key: it is shown only now (the platform stores only its hash)")
    }
}

/// `lepton platform workspace create NAME --data DIR`: a new workspace and its first admin key.
struct PlatformWorkspaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace",
        abstract: "Create a workspace (printing its first admin key once) or list workspaces."
    )

    @Argument(help: "create NAME, or ls.")
    var words: [String]

    @OptionGroup var data: PlatformDataOption

    func validate() throws {
        guard words == ["ls"] || (words.count == 2 && words[0] == "create") else {
            throw ValidationError("expected `workspace create NAME` or `workspace ls`, got `workspace \(words.joined(separator: " "))`")
        }
    }

    func run() async throws {
        let platform = try data.open()
        if words == ["ls"] {
            for workspace in try await platform.store.workspaces() { print("\(workspace.id)  \(workspace.name)") }
            return
        }
        let issued = try await platform.createWorkspace(name: words[1], source: "lepton platform workspace create")
        print("workspace \(words[1]) (\(issued.key.workspaceID))")
        print("admin key: \(issued.token)")
    }
}

/// `lepton platform audit verify --data DIR`: checks the audit log's hash chain.
struct PlatformAuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify the audit log's hash chain (exit status 1 at the first broken row)."
    )

    @Argument(help: "verify")
    var action: String

    @OptionGroup var data: PlatformDataOption

    func validate() throws {
        guard action == "verify" else { throw ValidationError("expected `audit verify`, got `audit \(action)`") }
    }

    func run() async throws {
        let rows = try await data.open().audit.verify()
        print("audit log intact: \(rows) rows verified")
    }
}

/// `lepton platform rotate-key --data DIR`: a new master key; every data key re-wrapped.
struct PlatformRotateKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-key",
        abstract: "Rotate the master key: re-wrap every dataset's data key with a new one (data files are not rewritten)."
    )

    @OptionGroup var data: PlatformDataOption

    func run() async throws {
        let platform = try data.open()
        let (id, count) = try await platform.rotateMasterKey()
        try await platform.audit.record(AuditEntry(workspaceID: nil, keyID: nil, action: "master-key.rotate", resource: "master-keys/\(id)",
                                                   result: "ok", requestID: "-", source: "lepton platform rotate-key"))
        print("master key rotated to \(id); \(count) data keys re-wrapped")
    }
}

/// `lepton platform seed-market --data DIR [--models out]`: the examples' trained models
/// registered and published in the marketplace of the `default` workspace.
struct PlatformSeedMarketCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed-market",
        abstract: "Publish the examples' trained models (MNIST CNN, sentiment LSTM, MovieLens MF, faces CNN) in the marketplace."
    )

    @OptionGroup var data: PlatformDataOption

    @Option(help: ArgumentHelp("Where `lepton train examples/<name>.yaml` wrote the models (<folder>/mnist-cnn, …).", valueName: "folder"))
    var models: String = "out"

    func run() async throws {
        let outcomes = try await MarketSeed.seed(try data.open(), modelsFolder: URL(fileURLWithPath: models),
                                                 source: "lepton platform seed-market")
        for (example, outcome) in outcomes {
            switch outcome {
            case .listed(let listing): print("\(example.name): listed as \(listing.id) (\(listing.task), version \(listing.version))")
            case .alreadyListed: print("\(example.name): already listed")
            case .notTrained(let folder): print("\(example.name): skipped, no model at \(folder.path) (lepton train examples/\(example.name).yaml)")
            }
        }
    }
}
