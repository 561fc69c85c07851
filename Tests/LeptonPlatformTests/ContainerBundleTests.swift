import Foundation
import LeptonPlatform
import Testing
import Yams

@Suite struct ContainerBundleTests {
    private func parse(_ text: String) throws -> [String: Any] {
        try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    private func value(_ object: Any?, _ path: String) -> Any? {
        path.split(separator: ".").reduce(object) { current, key in
            if let index = Int(key), let list = current as? [Any] { return index < list.count ? list[index] : nil }
            return (current as? [String: Any])?[String(key)]
        }
    }

    private let spec = ContainerSpec(name: "mnist-prod", modelName: "mnist", modelVersion: 3, minReplicas: 2, maxReplicas: 6,
                                     targetRequestsPerSecond: 40, scaleUpWindowSeconds: 15, scaleDownWindowSeconds: 120)

    @Test func theDeploymentProbesTheServersHealthPathsAndReadsTokensFromASecret() throws {
        let manifest = try parse(ContainerBundle(spec: spec).deploymentManifest)
        #expect(manifest["kind"] as? String == "Deployment")
        #expect(value(manifest, "spec.replicas") as? Int == 2)
        #expect(value(manifest, "spec.strategy.rollingUpdate.maxUnavailable") as? Int == 0)
        let selector = try #require(value(manifest, "spec.selector.matchLabels") as? [String: Any])
        let podLabels = try #require(value(manifest, "spec.template.metadata.labels") as? [String: Any])
        #expect(selector["app.kubernetes.io/name"] as? String == "mnist-prod")
        #expect(podLabels["app.kubernetes.io/name"] as? String == "mnist-prod")
        let container = try #require(value(manifest, "spec.template.spec.containers.0") as? [String: Any])
        #expect(value(container, "readinessProbe.httpGet.path") as? String == "/v2/health/ready")
        #expect(value(container, "livenessProbe.httpGet.path") as? String == "/v2/health/live")
        #expect(value(container, "ports.0.containerPort") as? Int == ContainerBundle.port)
        #expect(value(container, "env.0.name") as? String == "LEPTON_SERVE_TOKENS")
        #expect(value(container, "env.0.valueFrom.secretKeyRef.name") as? String == "mnist-prod-tokens")
        #expect(value(container, "image") as? String == "mnist-prod:mnist-v3")

        var open = spec
        open.isPublic = true
        let publicContainer = value(try parse(ContainerBundle(spec: open).deploymentManifest), "spec.template.spec.containers.0") as? [String: Any]
        #expect(publicContainer?["env"] == nil)
    }

    @Test func theServiceAndAutoscalerCarryTheScalingRule() throws {
        let bundle = ContainerBundle(spec: spec)
        let service = try parse(bundle.serviceManifest)
        #expect(service["kind"] as? String == "Service")
        #expect(value(service, "spec.ports.0.port") as? Int == 80)
        #expect(value(service, "spec.ports.0.targetPort") as? String == "http")
        let hpa = try parse(bundle.autoscalerManifest)
        #expect(hpa["apiVersion"] as? String == "autoscaling/v2")
        #expect(value(hpa, "spec.scaleTargetRef.name") as? String == "mnist-prod")
        #expect(value(hpa, "spec.minReplicas") as? Int == 2)
        #expect(value(hpa, "spec.maxReplicas") as? Int == 6)
        #expect(value(hpa, "spec.metrics.0.pods.target.averageValue") as? String == "40")
        #expect(value(hpa, "spec.behavior.scaleUp.stabilizationWindowSeconds") as? Int == 15)
        #expect(value(hpa, "spec.behavior.scaleDown.stabilizationWindowSeconds") as? Int == 120)

        var cpu = spec
        cpu.targetRequestsPerSecond = nil
        cpu.minReplicas = 0
        let cpuHPA = ContainerBundle(spec: cpu).autoscalerManifest
        #expect(value(try parse(cpuHPA), "spec.metrics.0.resource.name") as? String == "cpu")
        #expect(value(try parse(cpuHPA), "spec.minReplicas") as? Int == 1)
        #expect(ContainerBundle(spec: cpu).deploymentManifest.contains("scale to zero"))
        cpu.targetRequestsPerSecond = 2.5
        #expect(value(try parse(ContainerBundle(spec: cpu).autoscalerManifest), "spec.metrics.0.pods.target.averageValue") as? String == "2500m")
    }

    @Test func theDockerfileStartsTheServerOnTheProbedPortWithTheRuntimePackages() throws {
        let dockerfile = ContainerBundle(spec: spec).dockerfile
        let entry = try #require(dockerfile.split(separator: "\n").first { $0.hasPrefix("ENTRYPOINT ") })
        let words = try JSONDecoder().decode([String].self, from: Data(entry.dropFirst("ENTRYPOINT ".count).utf8))
        #expect(words == ContainerBundle(spec: spec).command)
        #expect(words.contains("serve") && words.contains(String(ContainerBundle.port)) && words.contains("0.0.0.0"))
        #expect(dockerfile.contains("FROM debian:bookworm-slim"))
        for package in ContainerBundle.runtimePackages { #expect(dockerfile.contains(package)) }
        #expect(dockerfile.contains("EXPOSE \(ContainerBundle.port)"))
    }

    @Test func namesThatCannotNameKubernetesObjectsAreRefusedAndNumericNamesStayStrings() throws {
        for bad in ["", "Mnist", "a_b", "-a", "a-", String(repeating: "a", count: 64), "a b", "a\nkind: Secret"] {
            var hostile = spec
            hostile.name = bad
            #expect(throws: PlatformError.self, "name \(bad.debugDescription)") { try hostile.validate() }
        }
        for (min, max) in [(-1, 2), (3, 2), (0, 0)] {
            var hostile = spec
            hostile.minReplicas = min
            hostile.maxReplicas = max
            #expect(throws: PlatformError.self) { try hostile.validate() }
        }
        var numeric = spec
        numeric.name = "123"
        try numeric.validate()
        #expect(value(try parse(ContainerBundle(spec: numeric).serviceManifest), "metadata.name") as? String == "123")
    }

    @Test func writesTheBundleIntoAnEmptyFolderOnly() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bundle-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = root.appendingPathComponent("repo/mnist/3")
        try FileManager.default.createDirectory(at: repository, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: repository.appendingPathComponent("model.json"))
        let executable = root.appendingPathComponent("lepton")
        try Data("#!/bin/sh\n".utf8).write(to: executable)
        let library = root.appendingPathComponent("libswiftCore.so")
        try Data([1, 2, 3]).write(to: library)
        let out = root.appendingPathComponent("out")
        try ContainerBundle(spec: spec).write(to: out, executable: executable, libraries: [library], repository: root.appendingPathComponent("repo"))
        for file in ["Dockerfile", "README.md", "bin/lepton", "lib/libswiftCore.so", "models/mnist/3/model.json",
                     "k8s/deployment.yaml", "k8s/service.yaml", "k8s/hpa.yaml"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file)")
        }
        #expect(throws: PlatformError.self) {
            try ContainerBundle(spec: spec).write(to: out, executable: executable, libraries: [], repository: repository)
        }
        // A file that cannot be copied is named in the error.
        do {
            try ContainerBundle(spec: spec).write(to: root.appendingPathComponent("out2"), executable: root.appendingPathComponent("missing"),
                                                  libraries: [], repository: repository)
            Issue.record("a missing executable was accepted")
        } catch let error as PlatformError {
            #expect(error.message.contains("cannot write the container bundle"), "\(error.message)")
        }
    }

    @Test func toolchainLibrariesAreTheSharedObjectsOutsideTheSystemFolders() {
        let maps = """
            7f00-7f01 r-xp 00000000 08:01 1 /opt/swift/usr/lib/swift/linux/libswiftCore.so
            7f01-7f02 r--p 00001000 08:01 1 /opt/swift/usr/lib/swift/linux/libswiftCore.so
            7f02-7f03 r-xp 00000000 08:01 2 /usr/lib/x86_64-linux-gnu/libopenblas.so.0
            7f03-7f04 r-xp 00000000 08:01 3 /lib/x86_64-linux-gnu/libc.so.6
            7f04-7f05 rw-p 00000000 00:00 0 [heap]
            7f05-7f06 r-xp 00000000 08:01 4 /opt/swift/usr/lib/swift/linux/libFoundation.so
            7f06-7f07 r-xp 00000000 08:01 5 /work/project/.build/release/lepton
            """
        #expect(ContainerBundle.toolchainLibraries(maps: maps).map(\.path)
                == ["/opt/swift/usr/lib/swift/linux/libFoundation.so", "/opt/swift/usr/lib/swift/linux/libswiftCore.so"])
        // /proc files report size 0: the process's own map must still be read whole.
        #expect((ContainerBundle.processMaps() ?? "").contains("[stack]"))
    }
}
