import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `lepton job submit|ls|logs|cancel|metrics`: training jobs on the platform.
struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "Submit a training config as a job, list jobs, read or follow a job's log, cancel a job, print its training curve.",
        subcommands: [Submit.self, List.self, Logs.self, Cancel.self, Metrics.self]
    )

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "submit",
            abstract: "Submit CONFIG (a `lepton train` YAML) with its dataset versions placed under the job's data folder."
        )
        @Argument(help: "The training config.") var config: String
        @Option(name: .customLong("input"), help: ArgumentHelp("FILE=DATASET[:VERSION]: place a dataset version (id or name; default the latest) at FILE under the job's LEPTON_DATA_DIR, e.g. mnist/train-images-idx3-ubyte=mnist-train-images. Repeatable.", valueName: "file=dataset"))
        var inputs: [String] = []
        @Option(help: "Higher runs first.") var priority: Int = 0
        @Option(help: "CPU slots the job holds.") var cpus: Int = 1
        @Option(help: "MiB of memory the job reserves while it runs (the scheduler starts it only when that much is unreserved; Slurm gets --mem).")
        var memoryMb: Int?
        @Option(help: "Failed attempts to retry.") var retries: Int = 0
        @Option(help: "The registry model its trained model becomes a version of (default: the job id).") var modelName: String?

        func run() async throws {
            let text: String
            do { text = try String(contentsOfFile: config, encoding: .utf8) } catch { throw ValidationError("\(config): cannot read the config") }
            let client = try PlatformClient.load()
            var resolved: [[String: Any]] = []
            for input in inputs {
                let parts = input.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw ValidationError("--input \(input): expected FILE=DATASET[:VERSION]") }
                let reference = parts[1].split(separator: ":", maxSplits: 1).map(String.init)
                guard let id = try await DatasetCommand.resolve(reference[0], client: client) else {
                    throw ValidationError("--input \(input): no dataset named \(reference[0])")
                }
                let latest = (try await client.object("GET", "/api/v1/datasets/\(id)")["versions"] as? [[String: Any]] ?? [])
                    .compactMap { $0["number"] as? Int }.max() ?? 1
                guard let version = reference.count == 2 ? Int(reference[1]) : latest else {
                    throw ValidationError("--input \(input): the version must be a number")
                }
                resolved.append(["file": parts[0], "dataset": id, "version": version])
            }
            var body: [String: Any] = ["config": text, "inputs": resolved, "priority": priority, "cpus": cpus, "max_retries": retries]
            if let modelName { body["model_name"] = modelName }
            if let memoryMb { body["memory_mb"] = memoryMb }
            let job = try await client.object("POST", "/api/v1/jobs", json: body)
            print("job \(ClientTable.value(job["id"])) \(ClientTable.value(job["state"]))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List jobs, newest first.")

        func run() async throws {
            let jobs = try await PlatformClient.load().object("GET", "/api/v1/jobs")["jobs"] as? [[String: Any]] ?? []
            print(ClientTable.render(jobs, columns: ["id", "state", "priority", "attempts", "exit_code", "registered_model", "created"]))
        }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print a job's log; --follow keeps printing until the job ends.")
        @Argument(help: "The job id.") var id: String
        @Flag(help: "Keep printing new lines until the job is finished.") var follow = false

        func run() async throws {
            let client = try PlatformClient.load()
            var offset = 0
            while true {
                let (data, state) = try await client.log(id: id, offset: offset)
                FileHandle.standardOutput.write(data)
                offset += data.count
                let finished = ["succeeded", "failed", "cancelled"].contains(state)
                if !follow || (finished && data.isEmpty) { break }
                if data.isEmpty { try await Task.sleep(for: .milliseconds(500)) }
            }
            if follow, let job = try? await client.object("GET", "/api/v1/jobs/\(id)") {
                print("job \(id) \(ClientTable.value(job["state"]))" + (job["registered_model"].map { "; model \(ClientTable.value($0))" } ?? ""))
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a queued or running job.")
        @Argument(help: "The job id.") var id: String

        func run() async throws {
            let job = try await PlatformClient.load().object("POST", "/api/v1/jobs/\(id)/cancel")
            print("job \(id) \(ClientTable.value(job["state"]))")
        }
    }
}

extension PlatformClient {
    /// A job's log from `offset` and the job's state when it was read.
    func log(id: String, offset: Int) async throws -> (Data, String) {
        var request = URLRequest(url: URL(string: "/api/v1/jobs/\(id)/logs?offset=\(offset)", relativeTo: url)!)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (data, response) = try await Self.complete { URLSession.shared.dataTask(with: request, completionHandler: $0) }
        let http = response as? HTTPURLResponse
        guard let http, (200..<300).contains(http.statusCode) else {
            let message = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["error"] as? String
            throw Failure(status: http?.statusCode ?? 0, message: message ?? "")
        }
        return (data, http.value(forHTTPHeaderField: "X-Job-State") ?? "")
    }
}
