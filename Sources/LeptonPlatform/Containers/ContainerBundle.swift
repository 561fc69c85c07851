import Foundation
import Yams

/// What a deployment looks like from outside the platform, for ``ContainerBundle``: its name,
/// the model version it serves and its scaling rule.
public struct ContainerSpec: Sendable, Equatable {
    /// The deployment's name; also the Kubernetes object names (a DNS-1123 label).
    public var name: String
    /// The served model's name (its folder in the serve repository).
    public var modelName: String
    /// The served version.
    public var modelVersion: Int
    /// Fewest replicas (0: scale to zero, which a plain HorizontalPodAutoscaler cannot do; the
    /// manifests then keep one replica and say so).
    public var minReplicas: Int
    /// Most replicas.
    public var maxReplicas: Int
    /// Requests per second per replica the autoscaler aims at (nil: CPU utilisation instead).
    public var targetRequestsPerSecond: Double?
    /// Seconds load must stay high before scaling up.
    public var scaleUpWindowSeconds: Int
    /// Seconds load must stay low before scaling down.
    public var scaleDownWindowSeconds: Int
    /// Whether inference needs no token.
    public var isPublic: Bool

    /// Creates a spec.
    public init(name: String, modelName: String, modelVersion: Int, minReplicas: Int = 1, maxReplicas: Int = 1,
                targetRequestsPerSecond: Double? = nil, scaleUpWindowSeconds: Int = 0, scaleDownWindowSeconds: Int = 300,
                isPublic: Bool = false) {
        self.name = name
        self.modelName = modelName
        self.modelVersion = modelVersion
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.targetRequestsPerSecond = targetRequestsPerSecond
        self.scaleUpWindowSeconds = scaleUpWindowSeconds
        self.scaleDownWindowSeconds = scaleDownWindowSeconds
        self.isPublic = isPublic
    }

    /// Checks what Kubernetes and the Dockerfile need of the values.
    /// - Throws: ``PlatformError`` (`badRequest`) naming the value and what was expected.
    public func validate() throws {
        let label = #/[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?/#
        guard (try? label.wholeMatch(in: name)) != nil else {
            throw PlatformError(.badRequest, "deployment name \(name.debugDescription) cannot name Kubernetes objects; expected 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit")
        }
        guard !modelName.isEmpty, !modelName.contains("/"), modelName != ".", modelName != ".." else {
            throw PlatformError(.badRequest, "model name \(modelName.debugDescription) cannot name a repository folder")
        }
        guard modelVersion >= 1 else { throw PlatformError(.badRequest, "model version must be at least 1; got \(modelVersion)") }
        guard minReplicas >= 0, maxReplicas >= max(1, minReplicas) else {
            throw PlatformError(.badRequest, "replicas must satisfy 0 <= min <= max and max >= 1; got min \(minReplicas), max \(maxReplicas)")
        }
        if let rps = targetRequestsPerSecond, !(rps > 0 && rps.isFinite) {
            throw PlatformError(.badRequest, "target requests/s must be a positive number; got \(rps)")
        }
        guard scaleUpWindowSeconds >= 0, scaleDownWindowSeconds >= 0, scaleUpWindowSeconds <= 3600, scaleDownWindowSeconds <= 3600 else {
            throw PlatformError(.badRequest, "scaling windows must be 0 to 3600 seconds (Kubernetes' limit); got up \(scaleUpWindowSeconds), down \(scaleDownWindowSeconds)")
        }
    }
}

/// The files that run a deployment outside the platform: a Dockerfile (Debian base, the `lepton`
/// binary, the Swift runtime libraries it loads from the toolchain, the model) and Kubernetes
/// manifests (Deployment with readiness and liveness probes on `/v2/health/*`, Service,
/// HorizontalPodAutoscaler with the deployment's scaling rule).
///
/// ```swift
/// let bundle = ContainerBundle(spec: spec)
/// try bundle.write(to: folder, executable: lepton, libraries: ContainerBundle.toolchainLibraries(), repository: models)
/// ```
public struct ContainerBundle: Sendable {
    /// The port `lepton serve` listens on in the container.
    public static let port = 8000
    /// Debian packages of the shared libraries `lepton` links (OpenBLAS, oneDNN, image codecs,
    /// SQLite, OpenMPI) and the Swift runtime needs (libcurl, libstdc++).
    public static let runtimePackages = [
        "libopenblas0-pthread", "libdnnl2", "libpng16-16", "libturbojpeg0", "libsqlite3-0", "libopenmpi3", "zlib1g",
        "libcurl4", "libstdc++6", "libgcc-s1",
    ]
    /// The readiness probe's path (`lepton serve` answers 200 once every model is loaded).
    public static let readinessPath = "/v2/health/ready"
    /// The liveness probe's path.
    public static let livenessPath = "/v2/health/live"

    /// The deployment.
    public let spec: ContainerSpec

    /// A bundle of `spec`.
    public init(spec: ContainerSpec) { self.spec = spec }

    /// The image tag the manifests name.
    public var image: String { "\(spec.name):\(spec.modelName.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." })-v\(spec.modelVersion)" }

    /// The container's command line.
    public var command: [String] {
        ["/opt/lepton/bin/lepton", "serve", "--repository", "/models", "--host", "0.0.0.0", "--port", String(Self.port), "--log-format", "json"]
    }

    /// The Dockerfile.
    public var dockerfile: String {
        """
        # Written by `lepton deploy export` for deployment \(spec.name) (model \(spec.modelName) version \(spec.modelVersion)).
        # Build: docker build -t \(image) .
        FROM debian:bookworm-slim
        RUN apt-get update \\
         && apt-get install -y --no-install-recommends \(Self.runtimePackages.joined(separator: " ")) \\
         && rm -rf /var/lib/apt/lists/* \\
         && useradd --system --uid 10001 --no-create-home lepton
        # The Swift runtime libraries lepton was built with (none when it was linked statically).
        COPY lib/ /opt/lepton/lib/
        COPY bin/lepton /opt/lepton/bin/lepton
        COPY models/ /models/
        ENV LD_LIBRARY_PATH=/opt/lepton/lib
        USER 10001
        EXPOSE \(Self.port)
        # Inference tokens come from LEPTON_SERVE_TOKENS (comma-separated)\(spec.isPublic ? "; this deployment is public" : "; set it, e.g. from a Kubernetes secret")
        ENTRYPOINT \(Self.jsonArray(command))

        """
    }

    /// The Kubernetes Deployment: replicas behind readiness and liveness probes, rolled out one
    /// new replica at a time with none taken away first.
    public var deploymentManifest: String {
        var container: Node = [
            "name": "lepton-serve",
            "image": Self.text(image),
            "ports": [["name": "http", "containerPort": Node(String(Self.port))]],
            "readinessProbe": ["httpGet": ["path": Self.text(Self.readinessPath), "port": "http"], "periodSeconds": "5", "failureThreshold": "2"],
            "livenessProbe": ["httpGet": ["path": Self.text(Self.livenessPath), "port": "http"], "initialDelaySeconds": "10",
                              "periodSeconds": "10", "failureThreshold": "3"],
            "resources": ["requests": ["cpu": Self.text("1"), "memory": "512Mi"]],
        ]
        if !spec.isPublic {
            container["env"] = [["name": "LEPTON_SERVE_TOKENS",
                                 "valueFrom": ["secretKeyRef": ["name": Self.text(spec.name + "-tokens"), "key": "tokens"]]]]
        }
        let manifest: Node = [
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": ["name": Self.text(spec.name), "labels": labels],
            "spec": [
                "replicas": Node(String(max(1, spec.minReplicas))),
                "selector": ["matchLabels": ["app.kubernetes.io/name": Self.text(spec.name)]],
                "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "0", "maxSurge": "1"]],
                "template": [
                    "metadata": ["labels": labels],
                    "spec": ["terminationGracePeriodSeconds": "30", "containers": [container]],
                ],
            ],
        ]
        let note = spec.minReplicas == 0
            ? "# min replicas is 0 on the platform (scale to zero); Kubernetes keeps at least 1\n# (scale to zero there needs the HPAScaleToZero feature gate or KEDA).\n" : ""
        return Self.header + note + Self.yaml(manifest)
    }

    /// The Kubernetes Service (port 80 to the replicas' port).
    public var serviceManifest: String {
        let manifest: Node = [
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": ["name": Self.text(spec.name), "labels": labels],
            "spec": [
                "selector": ["app.kubernetes.io/name": Self.text(spec.name)],
                "ports": [["name": "http", "port": "80", "targetPort": "http"]],
            ],
        ]
        return Self.header + Self.yaml(manifest)
    }

    /// The HorizontalPodAutoscaler: the platform's rule (requests/s per replica as a Pods metric
    /// a Prometheus adapter serves from `lepton_inference_requests_total`, or else CPU) and windows.
    public var autoscalerManifest: String {
        let metric: Node
        var note = ""
        if let rps = spec.targetRequestsPerSecond {
            metric = ["type": "Pods", "pods": ["metric": ["name": "lepton_inference_requests_per_second"],
                                               "target": ["type": "AverageValue", "averageValue": Self.text(Self.quantity(rps))]]]
            note = "# lepton_inference_requests_per_second: a Prometheus adapter rule serving\n# sum by (pod) (rate(lepton_inference_requests_total[1m])) as a Pods metric.\n"
        } else {
            metric = ["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": "70"]]]
        }
        let manifest: Node = [
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": ["name": Self.text(spec.name), "labels": labels],
            "spec": [
                "scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": Self.text(spec.name)],
                "minReplicas": Node(String(max(1, spec.minReplicas))),
                "maxReplicas": Node(String(spec.maxReplicas)),
                "metrics": [metric],
                "behavior": [
                    "scaleUp": ["stabilizationWindowSeconds": Node(String(spec.scaleUpWindowSeconds))],
                    "scaleDown": ["stabilizationWindowSeconds": Node(String(spec.scaleDownWindowSeconds))],
                ],
            ],
        ]
        return Self.header + note + Self.yaml(manifest)
    }

    /// Writes `Dockerfile`, `bin/lepton`, `lib/` (the given libraries), `models/` (a copy of the
    /// serve repository `<model>/<version>/…`), `k8s/{deployment,service,hpa}.yaml` and a README
    /// into `folder`, which must not exist or be empty.
    /// - Throws: ``PlatformError`` for a bad spec or a folder that holds files.
    public func write(to folder: URL, executable: URL, libraries: [URL], repository: URL) throws {
        try spec.validate()
        let manager = FileManager.default
        if let existing = try? manager.contentsOfDirectory(atPath: folder.path), !existing.isEmpty {
            throw PlatformError(.conflict, "\(folder.path) is not empty; export into a new or empty folder")
        }
        do {
            for sub in ["bin", "lib", "k8s"] {
                try manager.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
            try manager.copyItem(at: executable, to: folder.appendingPathComponent("bin/lepton"))
            for library in libraries {
                try manager.copyItem(at: library.resolvingSymlinksInPath(), to: folder.appendingPathComponent("lib").appendingPathComponent(library.lastPathComponent))
            }
            try manager.copyItem(at: repository, to: folder.appendingPathComponent("models"))
            let files = [
                ("Dockerfile", dockerfile), ("k8s/deployment.yaml", deploymentManifest), ("k8s/service.yaml", serviceManifest),
                ("k8s/hpa.yaml", autoscalerManifest), ("README.md", readme),
            ]
            for (name, text) in files {
                try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
            }
        } catch let error as PlatformError {
            throw error
        } catch {
            throw PlatformError(.internalError, "cannot write the container bundle into \(folder.path): \(error.localizedDescription)")
        }
    }

    /// The shared libraries this process loaded from outside the system's library folders: the
    /// Swift runtime of a dynamically linked build (empty for a static one).
    public static func toolchainLibraries(maps: String? = processMaps()) -> [URL] {
        let system = ["/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/", "/usr/local/lib/"]
        var seen = Set<String>()
        for line in (maps ?? "").split(separator: "\n") {
            guard let slash = line.firstIndex(of: "/") else { continue }
            let path = String(line[slash...])
            let name = path.split(separator: "/").last.map(String.init) ?? ""
            guard name.hasPrefix("lib"), name.contains(".so"), !system.contains(where: path.hasPrefix) else { continue }
            seen.insert(path)
        }
        return seen.sorted().map { URL(fileURLWithPath: $0) }
    }

    /// `/proc/self/maps`, read to its end (a /proc file reports size 0, so it is read as a stream).
    public static func processMaps() -> String? {
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/maps") else { return nil }
        defer { try? handle.close() }
        return (try? handle.readToEnd()).map { String(decoding: $0, as: UTF8.self) }
    }

    private var readme: String {
        """
        # \(spec.name): model \(spec.modelName) version \(spec.modelVersion)

        Written by `lepton deploy export`. Build and push the image, then apply the manifests:

            docker build -t \(image) .
            \(spec.isPublic ? "" : "kubectl create secret generic \(spec.name)-tokens --from-literal=tokens=<deployment token>\n    ")kubectl apply -f k8s/

        The replicas answer the KServe V2 protocol on port 80 of the Service `\(spec.name)`;
        readiness is `\(Self.readinessPath)`, liveness `\(Self.livenessPath)`.

        """
    }

    private var labels: Node {
        ["app.kubernetes.io/name": Self.text(spec.name), "app.kubernetes.io/part-of": "lepton"]
    }

    private static let header = "# Written by `lepton deploy export`.\n"

    /// A string scalar that stays a string when read back (a name such as `123` is not a number).
    static func text(_ value: String) -> Node {
        .scalar(.init(value, Tag(.str), .doubleQuoted))
    }

    static func yaml(_ node: Node) -> String {
        (try? Yams.serialize(node: node, sortKeys: false)) ?? ""
    }

    /// A JSON string (also a valid YAML scalar).
    static func quoted(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func jsonArray(_ words: [String]) -> String {
        "[" + words.map(quoted).joined(separator: ", ") + "]"
    }

    /// A Kubernetes quantity: an integer, or milli-units.
    static func quantity(_ value: Double) -> String {
        value == value.rounded() && value < 1e9 ? String(Int(value)) : "\(Int((min(value, 1e9) * 1000).rounded()))m"
    }
}
