import ArgumentParser
import Foundation
import LeptonPlatform

/// `lepton dataset push|ls|pull|rm`: datasets of the platform (encrypted there at rest).
struct DatasetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Push a file as a new dataset version, list datasets, pull a version, remove a dataset.",
        subcommands: [Push.self, List.self, Pull.self, Remove.self]
    )

    /// The id of the dataset named or numbered `reference` (ids pass through), if any.
    static func resolve(_ reference: String, client: PlatformClient) async throws -> String? {
        if reference.hasPrefix("ds_") { return reference }
        let datasets = try await client.object("GET", "/api/v1/datasets")["datasets"] as? [[String: Any]] ?? []
        return datasets.first { $0["name"] as? String == reference }?["id"] as? String
    }

    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "push", abstract: "Upload FILE as the next version of dataset NAME (created if new).")
        @Argument(help: "The file to upload.") var file: String
        @Option(help: "The dataset's name.") var name: String

        func run() async throws {
            let url = URL(fileURLWithPath: file)
            guard FileManager.default.isReadableFile(atPath: url.path) else { throw ValidationError("\(file): not a readable file") }
            let client = try PlatformClient.load()
            let id: String
            if let existing = try await DatasetCommand.resolve(name, client: client) {
                id = existing
            } else {
                id = try await client.object("POST", "/api/v1/datasets", json: ["name": name])["id"] as? String ?? ""
            }
            let version = try await client.upload("/api/v1/datasets/\(id)/versions", file: url)
            let preview = version["preview"] as? [String: Any] ?? [:]
            let details = ["shape", "element_type", "classes", "columns", "rows", "files", "images", "image_classes"].compactMap { key in
                preview[key].map { "\(key) \(ClientTable.value($0))" }
            }
            print("dataset \(id) (\(name)) version \(ClientTable.value(version["number"])): \(ClientTable.value(version["size"])) bytes, "
                  + "sha256 \(ClientTable.value(version["sha256"])), format \(ClientTable.value(preview["format"]))"
                  + (details.isEmpty ? "" : " (\(details.joined(separator: ", ")))"))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List datasets.")

        func run() async throws {
            let datasets = try await PlatformClient.load().object("GET", "/api/v1/datasets")["datasets"] as? [[String: Any]] ?? []
            print(ClientTable.render(datasets, columns: ["id", "name", "created"]))
        }
    }

    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pull", abstract: "Download a dataset version (verified by the platform and here).")
        @Argument(help: "The dataset's id or name.") var dataset: String
        @Option(help: "The version (default: the latest).") var version: Int?
        @Option(help: "Where to write it.") var output: String

        func run() async throws {
            let client = try PlatformClient.load()
            guard let id = try await DatasetCommand.resolve(dataset, client: client) else { throw ValidationError("no dataset named \(dataset)") }
            var number = version ?? 0
            if version == nil {
                let versions = try await client.object("GET", "/api/v1/datasets/\(id)")["versions"] as? [[String: Any]] ?? []
                number = versions.compactMap { $0["number"] as? Int }.max() ?? 1
            }
            let destination = URL(fileURLWithPath: output)
            let expected = try await client.download("/api/v1/datasets/\(id)/versions/\(number)", to: destination)
            let actual = try FileDigest.sha256(of: destination)
            guard expected == nil || expected == actual else {
                try? FileManager.default.removeItem(at: destination)
                throw ValidationError("the download's SHA-256 \(actual) differs from the platform's \(expected ?? "")")
            }
            print("pulled \(id) version \(number) to \(output) (sha256 \(actual))")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a dataset and its versions.")
        @Argument(help: "The dataset's id or name.") var dataset: String

        func run() async throws {
            let client = try PlatformClient.load()
            guard let id = try await DatasetCommand.resolve(dataset, client: client) else { throw ValidationError("no dataset named \(dataset)") }
            _ = try await client.object("DELETE", "/api/v1/datasets/\(id)")
            print("removed \(id)")
        }
    }
}
