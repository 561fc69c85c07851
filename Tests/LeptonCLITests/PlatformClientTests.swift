import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LeptonTestSupport
import Testing

/// The client commands end to end against a running `lepton platform serve`: login (0600
/// credentials), keys, dataset push/ls/pull/rm, a real `lepton train` job on small MNIST-shaped
/// files with its log followed, the model registered, aliased, pulled and used by `lepton predict`.
@Suite struct PlatformClientTests {
    /// An IDX file: magic, dimensions, then `body`.
    static func idx(type: UInt8, shape: [Int], body: [UInt8]) -> Data {
        var bytes: [UInt8] = [0, 0, type, UInt8(shape.count)]
        for n in shape { bytes += [UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] }
        return Data(bytes + body)
    }

    /// Four small MNIST-shaped files (`count` train and `count / 4` test images).
    static func writeMNIST(into folder: URL, count: Int) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (stem, n) in [("train", count), ("t10k", count / 4)] {
            let labels = (0..<n).map { UInt8($0 % 10) }
            let pixels = labels.flatMap { label in (0..<784).map { UInt8(($0 + Int(label) * 37) % 256) } }
            try idx(type: 0x08, shape: [n, 28, 28], body: pixels).write(to: folder.appendingPathComponent("\(stem)-images-idx3-ubyte"))
            try idx(type: 0x08, shape: [n], body: labels).write(to: folder.appendingPathComponent("\(stem)-labels-idx1-ubyte"))
        }
    }

    static let config = """
    dataset: {name: mnist}
    model:
      input_shape: [28, 28, 1]
      layers: [{type: Flatten}, {type: Dense, units: 10, activation: softmax}]
    optimizer: {name: adam, learning_rate: 0.001}
    loss: sparse_categorical_crossentropy
    metrics: [accuracy]
    epochs: 1
    batch_size: 16

    """

    /// `lepton deploy`: create (the token printed once), status until a replica is ready, one
    /// inference through the router with the token (and 401 without), ls, rm.
    static func deploy(port: Int, lepton: ([String]) throws -> (status: Int32, stdout: String, stderr: String)) async throws {
        let created = try lepton(["deploy", "create", "digits", "--model", "tiny-mnist@champion", "--max-replicas", "2"])
        #expect(created.status == 0 && created.stdout.contains("/deployments/digits"), "\(created.stdout)\(created.stderr)")
        let token = try #require(created.stdout.split(separator: "\n").first { $0.hasPrefix("token: lepd_") }?.dropFirst(7).description)
        var status = ""
        for _ in 0..<300 where !status.contains("ready replicas: 1;") {
            status = try lepton(["deploy", "status", "digits"]).stdout
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(status.contains("ready replicas: 1;") && status.contains("endpoint: http://127.0.0.1:\(port)/deployments/digits"), "\(status)")
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/deployments/digits/v2/models/tiny-mnist/infer")!)
        request.httpMethod = "POST"
        request.httpBody = Data(("{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 28, 28, 1], \"datatype\": \"FP32\", \"data\": ["
                                 + Array(repeating: "0", count: 784).joined(separator: ",") + "]}]}").utf8)
        let (_, refused) = try await URLSession.shared.data(for: request)
        #expect((refused as? HTTPURLResponse)?.statusCode == 401)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (body, answered) = try await URLSession.shared.data(for: request)
        #expect((answered as? HTTPURLResponse)?.statusCode == 200, "\(String(decoding: body, as: UTF8.self))")
        #expect(try lepton(["deploy", "ls"]).stdout.contains("tiny-mnist"))
        let bundle = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: bundle) }
        let exported = try lepton(["deploy", "export", "digits", "--out", bundle.path])
        #expect(exported.status == 0, "\(exported.stderr)")
        try await DeployExportChecks.check(bundle)
        let again = try lepton(["deploy", "export", "digits", "--out", bundle.path])
        #expect(again.status == 1 && again.stderr.contains("not empty"), "\(again.stderr)")
        #expect(try lepton(["deploy", "rm", "digits"]).stdout.contains("deployment digits removed"))
    }

    @Test func pushTrainFollowRegisterAliasPullPredict() async throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-platform-client")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("data"), files = dir.appendingPathComponent("mnist")
        try Self.writeMNIST(into: files, count: 64)
        let initialised = try LeptonExecutable.run(["platform", "init", "--data", data.path])
        let admin = try #require(initialised.stdout.split(separator: "\n").first { $0.hasPrefix("admin key: ") }).dropFirst(11)
        let (server, port) = try await PlatformCommandTests.serve(data, portFile: dir.appendingPathComponent("port"))
        defer { server.terminate(); server.waitUntilExit() }
        let config = ["LEPTON_CONFIG_DIR": dir.appendingPathComponent("config").path]
        func lepton(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
            try LeptonExecutable.run(arguments, environment: config)
        }

        let badLogin = try lepton(["login", "--url", "http://127.0.0.1:\(port)", "--token", "lep_0000000000000000_" + String(repeating: "0", count: 64)])
        #expect(badLogin.status == 1 && badLogin.stderr.contains("401"), "\(badLogin.stderr)")
        let login = try lepton(["login", "--url", "http://127.0.0.1:\(port)", "--token", String(admin)])
        #expect(login.status == 0, "\(login.stderr)")
        let credentials = dir.appendingPathComponent("config/credentials.json").path
        #expect((try FileManager.default.attributesOfItem(atPath: credentials)[.posixPermissions] as? Int) == 0o600)

        let created = try lepton(["key", "create", "--role", "viewer", "--name", "reader"])
        #expect(created.status == 0 && created.stdout.hasPrefix("key: lep_"), "\(created.stderr)")
        #expect(try lepton(["key", "ls"]).stdout.contains("reader"))

        for stem in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
            let pushed = try lepton(["dataset", "push", files.appendingPathComponent(stem).path, "--name", stem])
            #expect(pushed.status == 0 && pushed.stdout.contains("format idx"), "\(pushed.stdout)\(pushed.stderr)")
        }
        #expect(try lepton(["dataset", "ls"]).stdout.contains("t10k-labels-idx1-ubyte"))
        let pulled = dir.appendingPathComponent("pulled")
        #expect(try lepton(["dataset", "pull", "train-labels-idx1-ubyte", "--output", pulled.path]).status == 0)
        #expect(try Data(contentsOf: pulled) == Data(contentsOf: files.appendingPathComponent("train-labels-idx1-ubyte")))

        let configFile = dir.appendingPathComponent("tiny.yaml")
        try Self.config.write(to: configFile, atomically: true, encoding: .utf8)
        let inputs = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
            .flatMap { ["--input", "mnist/\($0)=\($0)"] }
        let submitted = try lepton(["job", "submit", configFile.path, "--model-name", "tiny-mnist"] + inputs)
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let jobID = try #require(submitted.stdout.split(separator: " ").dropFirst().first.map(String.init))
        let logs = try lepton(["job", "logs", jobID, "--follow"])
        #expect(logs.status == 0 && logs.stdout.contains("attempt 1 ended: succeeded"), "\(logs.stdout)\(logs.stderr)")
        #expect(logs.stdout.contains("job \(jobID) succeeded; model mdl_"), "\(logs.stdout)")
        #expect(try lepton(["job", "ls"]).stdout.contains("succeeded"))
        let curve = try lepton(["job", "metrics", jobID]).stdout.split(separator: "\n")
        #expect(curve.count == 2 && curve[0].split(separator: " ") == ["EPOCH", "LOSS", "ACCURACY", "SECONDS"] && curve[1].hasPrefix("1 "), "\(curve)")

        #expect(try lepton(["model", "alias", "tiny-mnist", "champion", "1"]).status == 0)
        let listed = try lepton(["model", "ls", "tiny-mnist"])
        #expect(listed.stdout.contains("champion=1") && listed.stdout.contains(jobID), "\(listed.stdout)")
        let model = dir.appendingPathComponent("model")
        let pulledModel = try lepton(["model", "pull", "tiny-mnist", "--version", "champion", "--output", model.path])
        #expect(pulledModel.status == 0, "\(pulledModel.stderr)")
        let predicted = try lepton(["predict", model.path, files.appendingPathComponent("t10k-images-idx3-ubyte").path, "--limit", "3"])
        #expect(predicted.status == 0, "\(predicted.stderr)")

        // The version as one ONNX file: written once, refused over an existing file unless --overwrite.
        let onnx = dir.appendingPathComponent("tiny.onnx")
        let pulledONNX = try lepton(["model", "pull", "tiny-mnist", "--onnx", onnx.path])
        #expect(pulledONNX.status == 0 && pulledONNX.stdout.contains("as ONNX"), "\(pulledONNX.stderr)")
        #expect(try lepton(["predict", onnx.path, files.appendingPathComponent("t10k-images-idx3-ubyte").path, "--limit", "3"]).status == 0)
        let onExisting = try lepton(["model", "pull", "tiny-mnist", "--onnx", onnx.path])
        #expect(onExisting.status != 0 && onExisting.stderr.contains("a file is already there"), "\(onExisting.stderr)")
        #expect(try lepton(["model", "pull", "tiny-mnist", "--onnx", onnx.path, "--overwrite"]).status == 0)
        for (arguments, message) in [([String](), "give either --output FOLDER or --onnx FILE"),
                                     (["--output", model.path, "--onnx", onnx.path], "give either --output FOLDER or --onnx FILE"),
                                     (["--output", model.path, "--overwrite"], "--overwrite: expected --onnx FILE too")] {
            let refused = try lepton(["model", "pull", "tiny-mnist"] + arguments)
            #expect(refused.status != 0 && refused.stderr.contains(message), "\(arguments): \(refused.stderr)")
        }

        let published = try lepton(["model", "publish", "tiny-mnist", "--version", "champion", "--task", "image-classification",
                                    "--licence", "MIT", "--metric", "accuracy=0.1", "--description", "tiny test digits"])
        #expect(published.status == 0 && published.stdout.hasPrefix("listing lst_"), "\(published.stderr)")
        let listingID = String(published.stdout.dropFirst("listing ".count).prefix(28))
        #expect(try lepton(["market", "search", "digits"]).stdout.contains(listingID))
        let marketPull = try lepton(["market", "pull", listingID, "--name", "from-market"])
        #expect(marketPull.status == 0 && marketPull.stdout.contains("version 1"), "\(marketPull.stderr)")
        let fromMarket = dir.appendingPathComponent("from-market")
        #expect(try lepton(["model", "pull", "from-market", "--output", fromMarket.path]).status == 0)
        #expect(try lepton(["predict", fromMarket.path, files.appendingPathComponent("t10k-images-idx3-ubyte").path, "--limit", "3"]).stdout
                == predicted.stdout)

        // A model trained elsewhere, pushed as a folder, pulls back identical and predicts the same.
        let pushed = try lepton(["model", "push", model.path, "--name", "pushed-mnist", "--alias", "prod"])
        #expect(pushed.status == 0 && pushed.stdout.contains("pushed-mnist version 1 (alias prod)"), "\(pushed.stderr)")
        let repulled = dir.appendingPathComponent("repulled")
        #expect(try lepton(["model", "pull", "pushed-mnist", "--version", "prod", "--output", repulled.path]).status == 0)
        for name in ["model.json", "model.safetensors"] {
            #expect(FileManager.default.contents(atPath: repulled.appendingPathComponent(name).path)
                    == FileManager.default.contents(atPath: model.appendingPathComponent(name).path), "\(name)")
        }
        let notAModel = try lepton(["model", "push", files.path, "--name", "nothing"])
        #expect(notAModel.status == 1 && notAModel.stderr.contains("no model.json"), "\(notAModel.stderr)")
        try await Self.deploy(port: port, lepton: lepton)

        #expect(try lepton(["dataset", "rm", "train-labels-idx1-ubyte"]).status == 0)
        let viewerToken = String(created.stdout.split(separator: "\n")[0].dropFirst(5))
        let denied = try LeptonExecutable.run(["dataset", "rm", "t10k-labels-idx1-ubyte"],
                                              environment: ["LEPTON_URL": "http://127.0.0.1:\(port)", "LEPTON_TOKEN": viewerToken])
        #expect(denied.status == 1 && denied.stderr.contains("403"), "\(denied.stderr)")
    }
}
