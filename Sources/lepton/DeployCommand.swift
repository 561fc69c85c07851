import ArgumentParser
import Foundation

/// `lepton deploy create|ls|status|scale|update|canary|promote|rollback|rm`: deployments of
/// registered model versions on the platform (replicas of `lepton serve` behind its router).
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Serve registered model versions as autoscaled endpoints: create, list, show, scale, roll out, canary, promote, roll back, remove.",
        subcommands: [Create.self, List.self, Status.self, Scale.self, Update.self, CanaryRelease.self, Promote.self, Rollback.self, Remove.self,
                      Export.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Deploy MODEL[@ALIAS|:VERSION] as NAME; prints its token once.")
        @Argument(help: "The deployment's name (lower-case letters, digits, '-'); its endpoint is /deployments/NAME/v2/….") var name: String
        @Option(help: "MODEL (latest version), MODEL:VERSION, MODEL@ALIAS, or market:LISTING (a marketplace listing, pulled into the workspace first).") var model: String
        @Option(help: "The fewest replicas while it takes traffic.") var minReplicas: Int = 1
        @Option(help: "The most replicas (default: the minimum, at least 1).") var maxReplicas: Int?
        @Option(help: "Requests per second one replica should take (the autoscaler's target).") var targetRps: Double?
        @Option(help: "Requests in flight one replica should hold (the autoscaler's target).") var targetQueueDepth: Double?
        @Option(help: "Seconds without a request after which every replica stops; the next request starts one (default: never).") var scaleToZeroAfter: Double?
        @Flag(name: .customLong("public"), help: "Serve without a token.") var isPublic = false

        func validate() throws {
            guard (0...64).contains(minReplicas) else { throw ValidationError("--min-replicas: expected 0...64, got \(minReplicas)") }
            if let maxReplicas, !(max(1, minReplicas)...64).contains(maxReplicas) {
                throw ValidationError("--max-replicas: expected \(max(1, minReplicas))...64 (at least --min-replicas), got \(maxReplicas)")
            }
            if let targetRps, !(targetRps > 0) { throw ValidationError("--target-rps: expected a positive number, got \(targetRps)") }
            if let targetQueueDepth, !(targetQueueDepth > 0) { throw ValidationError("--target-queue-depth: expected a positive number, got \(targetQueueDepth)") }
            if let scaleToZeroAfter, !(scaleToZeroAfter >= 1) { throw ValidationError("--scale-to-zero-after: expected seconds ≥ 1, got \(scaleToZeroAfter)") }
        }

        func run() async throws {
            var body: [String: Any] = ["name": name, "model": model, "min_replicas": minReplicas, "public": isPublic]
            if let maxReplicas { body["max_replicas"] = maxReplicas }
            if let targetRps { body["target_requests_per_second"] = targetRps }
            if let targetQueueDepth { body["target_queue_depth"] = targetQueueDepth }
            if let scaleToZeroAfter { body["scale_to_zero_after_seconds"] = scaleToZeroAfter }
            let created = try await PlatformClient.load().object("POST", "/api/v1/deployments", json: body)
            let deployment = created["deployment"] as? [String: Any] ?? [:]
            print("deployment \(name): \(ClientTable.value(deployment["model"])) version \(ClientTable.value(deployment["version"])) at \(ClientTable.value(created["endpoint"]))")
            if let token = created["token"] as? String {
                print("token: \(token)")
                print("(shown once; send it as Authorization: Bearer <token>)")
            } else {
                print("public: no token needed")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List deployments.")

        func run() async throws {
            let listed = try await PlatformClient.load().object("GET", "/api/v1/deployments")["deployments"] as? [[String: Any]] ?? []
            let rows = listed.map { deployment -> [String: Any] in
                var row = deployment
                row["replicas"] = "\(ClientTable.value(deployment["min_replicas"]))…\(ClientTable.value(deployment["max_replicas"]))"
                row["canary"] = (deployment["canary"] as? [String: Any]).map { "v\(ClientTable.value($0["version"])) \(ClientTable.value($0["percent"]))%" } ?? NSNull()
                row["public"] = deployment["is_public"] as? Bool == true ? "yes" : "no"
                return row
            }
            print(ClientTable.render(rows, columns: ["name", "model", "version", "replicas", "canary", "public", "created"]))
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "status", abstract: "Show a deployment: ready replicas, endpoint, recent events.")
        @Argument(help: "The deployment's name.") var name: String

        func run() async throws {
            let client = try PlatformClient.load()
            let status = try await client.object("GET", "/api/v1/deployments/\(name)")
            let deployment = status["deployment"] as? [String: Any] ?? [:]
            let canary = (deployment["canary"] as? [String: Any]).map { ", canary version \(ClientTable.value($0["version"])) at \(ClientTable.value($0["percent"])) %" } ?? ""
            print("deployment \(name): \(ClientTable.value(deployment["model"])) version \(ClientTable.value(deployment["version"]))\(canary)")
            print("endpoint: \(ClientTable.value(status["endpoint"]))\(deployment["is_public"] as? Bool == true ? " (public)" : " (token required)")")
            let canaryTarget = deployment["canary"] == nil || deployment["canary"] is NSNull ? "" : " + the canary's"
            print("ready replicas: \(ClientTable.value(status["ready_replicas"])); wanted: \(ClientTable.value(status["target_replicas"])) of version \(ClientTable.value(deployment["version"]))\(canaryTarget) (range \(ClientTable.value(deployment["min_replicas"]))…\(ClientTable.value(deployment["max_replicas"])))")
            let replicas = status["replicas"] as? [[String: Any]] ?? []
            if !replicas.isEmpty { print(ClientTable.render(replicas, columns: ["id", "version", "phase", "pid", "port", "outstanding"])) }
            let metrics = try await client.object("GET", "/api/v1/deployments/\(name)/metrics")
            print("requests: \(ClientTable.value(metrics["requests"])) (\(ClientTable.value(metrics["failed_requests"])) failed), latency p50 \(Self.milliseconds(metrics["latency_p50_ms"])), p99 \(Self.milliseconds(metrics["latency_p99_ms"]))")
            let events = status["events"] as? [[String: Any]] ?? []
            if !events.isEmpty { print("events:\n" + ClientTable.render(events, columns: ["time", "kind", "message"])) }
        }

        static func milliseconds(_ value: Any?) -> String {
            (value as? Double).map { String(format: "%.2f ms", $0) } ?? "-"
        }
    }
}
