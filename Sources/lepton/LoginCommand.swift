import ArgumentParser
import Foundation

/// `lepton login --url URL --token KEY`: checks the key against the platform and saves both in
/// the credentials file (mode 0600) for the client commands.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Save a platform URL and API key for the client commands (key, dataset, job, model)."
    )

    @Option(help: "The platform's URL, such as http://127.0.0.1:8080.")
    var url: String

    @Option(help: "An API key (lep_…), as printed by `lepton platform init` or `lepton key create`.")
    var token: String

    func run() async throws {
        guard let parsed = URL(string: url), parsed.scheme == "http" || parsed.scheme == "https", parsed.host != nil else {
            throw ValidationError("--url \(url): expected http://HOST:PORT or https://HOST:PORT")
        }
        let client = PlatformClient(url: parsed, token: token)
        _ = try await client.send("GET", "/api/v1/datasets")  // 401 for a bad key, before anything is saved
        let file = try PlatformClient.save(url: url, token: token)
        print("logged in to \(url); credentials saved in \(file.path) (mode 0600)")
    }
}

/// `lepton key create|ls|revoke`: the workspace's API keys (admin keys only).
struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Create (printing `key: KEY` once), list or revoke API keys of your workspace.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a key; its secret is printed this once.")
        @Option(help: "viewer, editor or admin.") var role: String
        @Option(help: "A label for the key.") var name: String?
        @Option(help: "Seconds until it expires (default: never).") var expiresIn: Double?

        func run() async throws {
            var body: [String: Any] = ["role": role, "name": name ?? "\(role) key"]
            if let expiresIn { body["expires_in_seconds"] = expiresIn }
            let created = try await PlatformClient.load().object("POST", "/api/v1/keys", json: body)
            let key = created["key"] as? [String: Any] ?? [:]
            print("key: \(created["token"] as? String ?? "")")
            print("id: \(key["id"] as? String ?? "")  role: \(key["role"] as? String ?? "")  (the secret is shown only now)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the workspace's keys.")

        func run() async throws {
            let keys = try await PlatformClient.load().object("GET", "/api/v1/keys")["keys"] as? [[String: Any]] ?? []
            print(ClientTable.render(keys, columns: ["id", "role", "name", "created", "expires", "revoked", "last_used"]))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a key by id.")
        @Argument(help: "The key id (the 16 hex digits after lep_).") var id: String

        func run() async throws {
            _ = try await PlatformClient.load().object("DELETE", "/api/v1/keys/\(id)")
            print("revoked \(id)")
        }
    }
}

/// Plain-text tables of JSON objects for the client commands.
enum ClientTable {
    /// One line per object with the given fields, aligned; missing values as `-`.
    static func render(_ rows: [[String: Any]], columns: [String]) -> String {
        let cells = [columns.map { $0.uppercased() }] + rows.map { row in columns.map { value(row[$0]) } }
        let widths = columns.indices.map { i in cells.map { $0[i].count }.max() ?? 0 }
        return cells.map { line in
            line.enumerated().map { i, cell in cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }

    static func value(_ any: Any?) -> String {
        switch any {
        case nil, is NSNull: return "-"
        case let text as String: return text
        case let number as NSNumber: return number.stringValue
        case let list as [Any]: return "\(list.count)"
        case let object as [String: Any]: return object.keys.sorted().map { "\($0)=\(value(object[$0]))" }.joined(separator: ",")
        default: return "\(any!)"
        }
    }
}
