import ArgumentParser
import Foundation
import LeptonFiles
import LeptonPlatform

/// `lepton model ls|pull|alias`: the platform's model registry.
struct ModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "List registered models, push a model folder as a new version, pull a version as a Lepton model folder, point an alias at a version, publish a version to the marketplace.",
        subcommands: [List.self, Push.self, Pull.self, Alias.self, Publish.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List models (or one model's versions).")
        @Argument(help: "A model's id or name: list its versions.") var model: String?

        func run() async throws {
            let client = try PlatformClient.load()
            if let model {
                let shown = try await client.object("GET", "/api/v1/models/\(model)")
                print("model \(ClientTable.value(shown["name"])) (\(ClientTable.value(shown["id"]))) aliases \(ClientTable.value(shown["aliases"]))")
                let versions = (shown["versions"] as? [[String: Any]] ?? []).map { version -> [String: Any] in
                    let lineage = version["lineage"] as? [String: Any] ?? [:]
                    return ["number": version["number"] ?? "", "job": lineage["job_id"] ?? NSNull(), "inputs": lineage["inputs"] ?? [],
                            "files": version["files"] ?? [], "created": version["created"] ?? ""]
                }
                print(ClientTable.render(versions, columns: ["number", "job", "inputs", "files", "created"]))
                return
            }
            let models = try await client.object("GET", "/api/v1/models")["models"] as? [[String: Any]] ?? []
            print(ClientTable.render(models, columns: ["id", "name", "aliases", "created"]))
        }
    }

    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "push", abstract: "Upload a Lepton model folder as the next version of a model (created when new).")
        @Argument(help: "The model folder (model.json, model.safetensors, …).") var folder: String
        @Option(help: "The model's name in the registry.") var name: String
        @Option(help: "Point this alias at the new version.") var alias: String?

        func run() async throws {
            let source = URL(fileURLWithPath: folder)
            let names = try FileManager.default.contentsOfDirectory(atPath: source.path).sorted().filter { name in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: source.appendingPathComponent(name).path, isDirectory: &isDirectory) && !isDirectory.boolValue
            }
            guard names.contains("model.json") else {
                throw ValidationError("\(folder) is not a Lepton model folder (no model.json)")
            }
            let archive = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-push-\(UUID().uuidString).tar")
            defer { try? FileManager.default.removeItem(at: archive) }
            try TarWriter.write(names.map { ($0, source.appendingPathComponent($0)) }, to: archive)
            let client = try PlatformClient.load()
            let pushed = try await client.upload("/api/v1/models/\(name)/versions", file: archive)
            let number = (pushed["version"] as? [String: Any])?["number"] as? Int ?? 0
            if let alias { _ = try await client.object("PUT", "/api/v1/models/\(name)/aliases/\(alias)", json: ["version": number]) }
            print("pushed \(folder) as \(name) version \(number)\(alias.map { " (alias \($0))" } ?? "")")
        }
    }

    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pull", abstract: "Download a version's files into a folder (a Lepton model folder), or the version as ONNX.")
        @Argument(help: "The model's id or name.") var model: String
        @Option(help: "A version number or alias (default: the latest).") var version: String?
        @Option(help: "The folder to write.") var output: String?
        @Option(help: "Write the version as one ONNX file instead (exported by the platform, as lepton export does).") var onnx: String?
        @Flag(help: "With --onnx: replace a file already there.") var overwrite = false

        func validate() throws {
            guard (output == nil) != (onnx == nil) else { throw ValidationError("give either --output FOLDER or --onnx FILE") }
            guard !overwrite || onnx != nil else { throw ValidationError("--overwrite: expected --onnx FILE too (a pulled folder is never replaced)") }
        }

        func run() async throws {
            if let onnx {
                try OutputPath.checkNotEmpty(onnx, what: "--onnx")
                try OutputPath.checkFile(URL(fileURLWithPath: onnx), overwrite: overwrite)
            }
            let client = try PlatformClient.load()
            if let onnx {
                let path: String
                if let version { path = version } else { path = try await Self.latest(model, client: client) }
                _ = try await client.download("/api/v1/models/\(model)/versions/\(path)/onnx", to: URL(fileURLWithPath: onnx))
                print("pulled \(model) version \(path) as ONNX into \(onnx)")
                return
            }
            let output = output ?? ""
            let (name, number) = try await Self.pull(model, version: version, into: URL(fileURLWithPath: output), client: client)
            print("pulled \(name) version \(number) into \(output)")
        }

        /// The newest version number of `model`.
        static func latest(_ model: String, client: PlatformClient) async throws -> String {
            guard let number = newest(in: try await client.object("GET", "/api/v1/models/\(model)")) else {
                throw ValidationError("model \(model) has no versions")
            }
            return String(number)
        }

        /// The highest version number in a model as the API shows it.
        static func newest(in shown: [String: Any]) -> Int? {
            (shown["versions"] as? [[String: Any]] ?? []).compactMap { $0["number"] as? Int }.max()
        }

        /// Downloads the files of `version` (number or alias; default the latest) of `model` into
        /// `folder`, each checked against the registry's SHA-256.
        /// - Returns: the model's name and the version number pulled.
        static func pull(_ model: String, version: String?, into folder: URL, client: PlatformClient) async throws -> (String, Int) {
            let shown = try await client.object("GET", "/api/v1/models/\(model)")
            let versions = shown["versions"] as? [[String: Any]] ?? []
            let reference = version ?? newest(in: shown).map(String.init) ?? "1"
            let number = Int(reference) ?? (shown["aliases"] as? [String: Any])?[reference] as? Int
            guard let number, let chosen = versions.first(where: { $0["number"] as? Int == number }) else {
                throw ValidationError("model \(model) has no version or alias \(reference)")
            }
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for file in chosen["files"] as? [[String: Any]] ?? [] {
                guard let name = file["name"] as? String, !name.contains("/") else { continue }
                let destination = folder.appendingPathComponent(name)
                _ = try await client.download("/api/v1/models/\(model)/versions/\(reference)/files/\(name)", to: destination)
                guard try FileDigest.sha256(of: destination) == file["sha256"] as? String else {
                    throw ValidationError("\(name): its SHA-256 differs from the registry's")
                }
            }
            return (ClientTable.value(shown["name"]), number)
        }
    }

    struct Alias: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "alias", abstract: "Point ALIAS (such as champion) at VERSION of MODEL.")
        @Argument(help: "The model's id or name.") var model: String
        @Argument(help: "The alias.") var alias: String
        @Argument(help: "The version number.") var version: Int

        func run() async throws {
            let updated = try await PlatformClient.load().object("PUT", "/api/v1/models/\(model)/aliases/\(alias)", json: ["version": version])
            print("model \(ClientTable.value(updated["name"])): \(alias) → version \(version)")
        }
    }

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "publish", abstract: "Publish a version (number or alias) as a public marketplace listing.")
        @Argument(help: "The model's id or name.") var model: String
        @Option(help: "A version number or alias.") var version: String
        @Option(help: "The task, such as image-classification.") var task: String
        @Option(help: "The licence, such as MIT.") var licence: String
        @Option(help: "A description.") var description: String?
        @Option(help: ArgumentHelp("A reported metric NAME=VALUE (repeatable).", valueName: "name=value")) var metric: [String] = []

        func run() async throws {
            var metrics: [String: Double] = [:]
            for item in metric {
                let parts = item.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, let value = Double(parts[1]) else { throw ValidationError("--metric \(item): expected NAME=NUMBER") }
                metrics[String(parts[0])] = value
            }
            var body: [String: Any] = ["model": model, "version": version, "task": task, "licence": licence, "metrics": metrics]
            if let description { body["description"] = description }
            let listing = try await PlatformClient.load().object("POST", "/api/v1/market", json: body)
            print("listing \(ClientTable.value(listing["id"])): \(ClientTable.value(listing["name"])) version \(ClientTable.value(listing["version"]))")
        }
    }
}
