import ArgumentParser
import Foundation
import LeptonPlatform

extension DeployCommand {
    /// `lepton deploy export NAME --out DIR`: the deployment as a container image recipe and
    /// Kubernetes manifests (``LeptonPlatform/ContainerBundle``), with its model version pulled
    /// from the registry and this `lepton` binary inside.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write a Dockerfile and Kubernetes manifests (Deployment, Service, HPA) that run a deployment outside the platform.",
            discussion: "DIR gets Dockerfile, bin/lepton (this binary), lib/ (the Swift runtime it loads, when linked dynamically), models/ (the deployment's model version), k8s/{deployment,service,hpa}.yaml and README.md. Build the image with `docker build -t IMAGE DIR`."
        )
        @Argument(help: "The deployment's name.") var name: String
        @Option(help: "The folder to write (new or empty).") var out: String

        func run() async throws {
            let client = try PlatformClient.load()
            let status = try await client.object("GET", "/api/v1/deployments/\(name)")
            guard let deployment = status["deployment"] as? [String: Any], let model = deployment["model"] as? String,
                  let version = deployment["version"] as? Int else {
                throw ValidationError("the platform's answer for deployment \(name) has no model and version")
            }
            let scaling = deployment["scaling"] as? [String: Any] ?? [:]
            let spec = ContainerSpec(
                name: name, modelName: model, modelVersion: version,
                minReplicas: deployment["min_replicas"] as? Int ?? 1, maxReplicas: deployment["max_replicas"] as? Int ?? 1,
                targetRequestsPerSecond: scaling["target_requests_per_second"] as? Double,
                scaleUpWindowSeconds: Int(((scaling["scale_up_window_seconds"] as? Double) ?? 0).rounded()),
                scaleDownWindowSeconds: Int(((scaling["scale_down_window_seconds"] as? Double) ?? 300).rounded()),
                isPublic: deployment["is_public"] as? Bool ?? false)
            try spec.validate()
            let staging = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-export-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: staging) }
            _ = try await ModelCommand.Pull.pull(model, version: String(version),
                                                 into: staging.appendingPathComponent(model).appendingPathComponent(String(version)), client: client)
            try ContainerBundle(spec: spec).write(to: URL(fileURLWithPath: out), executable: URL(fileURLWithPath: Platform.currentExecutable),
                                                  libraries: ContainerBundle.toolchainLibraries(), repository: staging)
            print("wrote \(out): Dockerfile, bin/, lib/, models/\(model)/\(version), k8s/{deployment,service,hpa}.yaml")
            print("build: docker build -t \(ContainerBundle(spec: spec).image) \(out); then kubectl apply -f \(out)/k8s/")
        }
    }
}
