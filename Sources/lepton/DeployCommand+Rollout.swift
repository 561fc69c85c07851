import ArgumentParser
import Foundation

extension DeployCommand {
    struct Scale: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "scale", abstract: "Set a deployment's replica range (and autoscaling targets).")
        @Argument(help: "The deployment's name.") var name: String
        @Option(name: .customLong("min"), help: "The fewest replicas.") var minReplicas: Int?
        @Option(name: .customLong("max"), help: "The most replicas.") var maxReplicas: Int?
        @Option(help: "Requests per second one replica should take (0: not a criterion).") var targetRps: Double?
        @Option(help: "Seconds without a request before scaling to zero (0: never).") var scaleToZeroAfter: Double?

        func validate() throws {
            guard minReplicas != nil || maxReplicas != nil || targetRps != nil || scaleToZeroAfter != nil else {
                throw ValidationError("give --min, --max, --target-rps or --scale-to-zero-after")
            }
        }

        func run() async throws {
            var body: [String: Any] = [:]
            if let minReplicas { body["min_replicas"] = minReplicas }
            if let maxReplicas { body["max_replicas"] = maxReplicas }
            if let targetRps { body["target_requests_per_second"] = targetRps }
            if let scaleToZeroAfter { body["scale_to_zero_after_seconds"] = scaleToZeroAfter }
            let deployment = try await PlatformClient.load().object("POST", "/api/v1/deployments/\(name)/scale", json: body)
            print("deployment \(name): replicas \(ClientTable.value(deployment["min_replicas"]))…\(ClientTable.value(deployment["max_replicas"]))")
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "update", abstract: "Roll a deployment to another version of its model (new replicas ready first, old ones drained).")
        @Argument(help: "The deployment's name.") var name: String
        @Option(help: "MODEL:VERSION, MODEL@ALIAS or MODEL (latest).") var model: String

        func run() async throws {
            let deployment = try await PlatformClient.load().object("POST", "/api/v1/deployments/\(name)/update", json: ["model": model])
            print("deployment \(name): rolling to version \(ClientTable.value(deployment["version"])); follow it with `lepton deploy status \(name)`")
        }
    }

    struct CanaryRelease: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "canary", abstract: "Send PERCENT % of a deployment's traffic to another version.")
        @Argument(help: "The deployment's name.") var name: String
        @Option(help: "MODEL:VERSION, MODEL@ALIAS or MODEL (latest).") var model: String
        @Option(help: "The canary's share of the traffic, 1 to 99.") var percent: Int

        func validate() throws {
            guard (1...99).contains(percent) else { throw ValidationError("--percent: expected 1...99, got \(percent)") }
        }

        func run() async throws {
            let deployment = try await PlatformClient.load().object("POST", "/api/v1/deployments/\(name)/canary", json: ["model": model, "percent": percent])
            let canary = deployment["canary"] as? [String: Any] ?? [:]
            print("deployment \(name): canary version \(ClientTable.value(canary["version"])) takes \(percent) %, version \(ClientTable.value(deployment["version"])) the rest")
        }
    }

    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "promote", abstract: "Make the canary the stable version.")
        @Argument(help: "The deployment's name.") var name: String

        func run() async throws {
            let deployment = try await PlatformClient.load().object("POST", "/api/v1/deployments/\(name)/promote")
            print("deployment \(name): version \(ClientTable.value(deployment["version"])) is stable")
        }
    }

    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rollback", abstract: "Remove the canary; the stable version takes all the traffic.")
        @Argument(help: "The deployment's name.") var name: String

        func run() async throws {
            let deployment = try await PlatformClient.load().object("POST", "/api/v1/deployments/\(name)/rollback")
            print("deployment \(name): canary removed, version \(ClientTable.value(deployment["version"])) takes all the traffic")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a deployment (its replicas drain and stop).")
        @Argument(help: "The deployment's name.") var name: String

        func run() async throws {
            _ = try await PlatformClient.load().send("DELETE", "/api/v1/deployments/\(name)")
            print("deployment \(name) removed")
        }
    }
}
