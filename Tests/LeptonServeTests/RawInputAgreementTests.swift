import Foundation
import LeptonData
import LeptonIO
import LeptonJobs
import LeptonNN
import LeptonONNX
import LeptonServe
import LeptonTensor
import LeptonTestSupport
import LeptonTrain
import Testing

/// Preprocessing travels with the model: `lepton predict`, `lepton serve` (JSON, and binary for
/// `BYTES`), the ONNX export in onnxruntime and `lepton evaluate` agree on the same raw input —
/// sentences for the sentiment model of `examples/sentiment-lstm.yaml` (trained one epoch, its
/// `TextVectorization` adapted on the real training split), pixel values 0–255 of the files' size
/// for an image model that starts with `Resizing`, `CenterCrop` and `Rescaling`.
@Suite(.serialized) struct RawInputAgreementTests {
    static let onnxruntime = NumPyOracle(script: "python/onnx_oracle.py")

    /// The largest |a − b| over two equally long lists (infinity when the lengths differ).
    func difference(_ a: [Float], _ b: [Float]) -> Float {
        a.count == b.count ? zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) } : .infinity
    }

    /// The `outputs` of every JSON line `lepton predict` printed, in order.
    func predictOutputs(_ stdout: String) -> [Float] {
        stdout.split(separator: "\n").compactMap { line -> [Double]? in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?["outputs"] as? [Double]
        }.flatMap { $0 }.map(Float.init)
    }

    /// The first output's data of a V2 JSON response.
    func responseOutputs(_ reply: RunningServer.Reply) -> [Float] {
        let outputs = reply.json?["outputs"] as? [[String: Any]]
        return (outputs?.first?["data"] as? [Double] ?? []).map(Float.init)
    }

    /// A binary V2 request: a JSON header, then each text as a 4-byte little-endian length and its bytes.
    func binaryRequest(_ texts: [String]) -> (body: Data, headerLength: Int) {
        var payload: [UInt8] = []
        for text in texts {
            let bytes = Array(text.utf8)
            withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { payload.append(contentsOf: $0) }
            payload += bytes
        }
        let header = #"{"inputs": [{"name": "input", "shape": [\#(texts.count)], "datatype": "BYTES", "parameters": {"binary_data_size": \#(payload.count)}}]}"#
        return (Data(header.utf8) + Data(payload), header.utf8.count)
    }

    @Test func theSentimentModelAgreesOnSentences() async throws {
        let config = NumPyOracle.repositoryRoot.appendingPathComponent("examples/sentiment-lstm.yaml").path
        var loaded = try TrainingConfig.load(config)
        loaded.output = nil
        var options = TrainingJob.Options()
        options.epochs = 1
        let job = try TrainingJob(config: loaded, options: options)
        let result = try job.run()
        let model = try #require(job.model), data = try #require(job.data)
        #expect(model.textVectorization != nil)
        let texts = Array(try #require(data.testTexts).prefix(40))
            + ["a great film", "dull", "It's a WELL-made, moving film!", "ÉCOLE ça va — naïve café", "zzzz qqqq"]
        let expected = try model.predict(texts: texts).scalars

        let repo = try ServeFixtures.temporaryFolder("sentiment")
        defer { try? FileManager.default.removeItem(at: repo) }
        let folder = repo.appendingPathComponent("sentiment/1")
        try ModelFile.save(model, to: folder, inputShape: data.inputShape, inputDType: data.trainX.dtype)

        // lepton predict on a text file, one sentence per line.
        let file = repo.appendingPathComponent("sentences.txt")
        try texts.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let predicted = try LeptonExecutable.run(["predict", folder.path, file.path])
        #expect(predicted.status == 0, "\(predicted.stderr)")
        #expect(difference(predictOutputs(predicted.stdout), expected) < 1e-5, "lepton predict")

        // lepton evaluate scores the test sentences through the saved model's own vocabulary.
        let evaluated = try LeptonExecutable.run(["evaluate", folder.path, config])
        #expect(evaluated.stdout.contains(String(format: "accuracy: %.4f", result.test["accuracy"]!)), "\(evaluated.stdout) vs \(result.test)")

        // lepton serve: the input is BYTES, a sentence per row, in JSON and in binary.
        let server = try await RunningServer.start(ModelServer(options: ServeOptions(repository: repo, port: 0)))
        let metadata = try await server.send("/v2/models/sentiment")
        let inputs = metadata.json?["inputs"] as? [[String: Any]]
        #expect(inputs?.first?["datatype"] as? String == "BYTES" && inputs?.first?["shape"] as? [Int] == [-1])
        let quoted = try JSONEncoder().encode(texts)
        let json = #"{"inputs": [{"name": "input", "shape": [\#(texts.count)], "datatype": "BYTES", "data": \#(String(decoding: quoted, as: UTF8.self))}]}"#
        let reply = try await server.send("/v2/models/sentiment/infer", json: json)
        #expect(reply.status == 200, "\(reply.error)")
        #expect(difference(responseOutputs(reply), expected) < 1e-6, "serve, JSON")
        let (body, headerLength) = binaryRequest(texts)
        let binary = try await server.send("/v2/models/sentiment/infer", method: "POST", body: body,
                                           headers: [InferCodec.headerLengthField: String(headerLength)])
        #expect(binary.status == 200, "\(binary.error)")
        #expect(difference(responseOutputs(binary), expected) < 1e-6, "serve, binary BYTES")
        // The example of the README, and requests that do not fit.
        let two = try await server.send("/v2/models/sentiment/infer",
                                        json: #"{"inputs":[{"name":"input","shape":[2],"datatype":"BYTES","data":["a great film","dull"]}]}"#)
        let twoExpected = try model.predict(texts: ["a great film", "dull"]).scalars
        #expect(responseOutputs(two).count == 2 && difference(responseOutputs(two), twoExpected) < 1e-6)
        let numbers = try await server.send("/v2/models/sentiment/infer", json: #"{"inputs":[{"name":"input","shape":[1],"datatype":"INT32","data":[3]}]}"#)
        #expect(numbers.status == 400 && numbers.error.contains("datatype INT32 does not match the model's BYTES"), "\(numbers.error)")
        var invalid = binaryRequest(["ok"])
        invalid.body[invalid.body.count - 1] = 0xFF
        let notUTF8 = try await server.send("/v2/models/sentiment/infer", method: "POST", body: invalid.body,
                                            headers: [InferCodec.headerLengthField: String(invalid.headerLength)])
        #expect(notUTF8.status == 400 && notUTF8.error.contains("element 0 is not UTF-8 text"), "\(notUTF8.error)")
        await server.stop()

        // The ONNX export takes the sentences as strings.
        let onnx = repo.appendingPathComponent("sentiment.onnx")
        try ONNXExporter.export(model: model, inputShape: data.inputShape, inputDType: .int32, to: onnx)
        let scores = try Self.onnxruntime.run("run", [], attrs: ["model": .string(onnx.path), "texts": .array(texts.map { .string($0) })])
        #expect(difference(try #require(scores.first).scalars, expected) < 1e-4, "onnxruntime")
    }

    @Test func anImageModelAgreesOnRawPixels() async throws {
        GlobalRandom.seed(6)
        let model = Sequential([try Resizing(height: 24, width: 24), try CenterCrop(height: 20, width: 20), Rescaling(scale: 1.0 / 255),
                                Conv2D(filters: 4, kernelSize: [3, 3], activation: .relu), MaxPooling2D(poolSize: [2, 2]),
                                Flatten(), Dense(units: 3, activation: .softmax)])
        let sample = [30, 26, 3]
        model.build(inputShape: sample)
        var g = RandomGenerator(seed: 2)
        let bytes = (0..<(4 * 30 * 26 * 3)).map { _ in UInt8(truncatingIfNeeded: g.next()) }
        let pixels = Tensor(bytes.map(Float.init), shape: [4] + sample)
        let expected = model.predict(pixels).scalars

        let repo = try ServeFixtures.temporaryFolder("image")
        defer { try? FileManager.default.removeItem(at: repo) }
        let folder = repo.appendingPathComponent("images/1")
        try ModelFile.save(model, to: folder, inputShape: sample)

        // lepton predict on PNG files of the model's input size.
        let pictures = repo.appendingPathComponent("pictures")
        try FileManager.default.createDirectory(at: pictures, withIntermediateDirectories: true)
        let size = sample.reduce(1, *)
        for i in 0..<4 {
            try PNGWriter.encode(width: 26, height: 30, channels: 3, bytes: Array(bytes[(i * size)..<((i + 1) * size)]))
                .write(to: pictures.appendingPathComponent("\(i).png"))
        }
        let predicted = try LeptonExecutable.run(["predict", folder.path, pictures.path])
        #expect(predicted.status == 0, "\(predicted.stderr)")
        #expect(difference(predictOutputs(predicted.stdout), expected) < 1e-5, "lepton predict")

        // lepton serve with the same values as FP32.
        let server = try await RunningServer.start(ModelServer(options: ServeOptions(repository: repo, port: 0)))
        let json = #"{"inputs": [{"name": "input", "shape": [4, 30, 26, 3], "datatype": "FP32", "data": \#(pixels.scalars)}]}"#
        let reply = try await server.send("/v2/models/images/infer", json: json)
        #expect(reply.status == 200, "\(reply.error)")
        #expect(difference(responseOutputs(reply), expected) < 1e-6, "serve")
        // … and as the bytes an image file holds (UINT8, widened to the model's FP32).
        let asBytes = #"{"inputs": [{"name": "input", "shape": [4, 30, 26, 3], "datatype": "UINT8", "data": \#(bytes)}]}"#
        let byteReply = try await server.send("/v2/models/images/infer", json: asBytes)
        #expect(byteReply.status == 200, "\(byteReply.error)")
        #expect(difference(responseOutputs(byteReply), expected) < 1e-6, "serve, UINT8")
        let wide = #"{"inputs": [{"name": "input", "shape": [4, 30, 26, 3], "datatype": "FP64", "data": \#(bytes)}]}"#
        let refused = try await server.send("/v2/models/images/infer", json: wide)
        #expect(refused.status == 400 && refused.error.contains("datatype FP64 does not match the model's FP32"), "\(refused.error)")
        await server.stop()

        // The ONNX export (Resize, Slice, Mul) in onnxruntime.
        let onnx = repo.appendingPathComponent("images.onnx")
        try ONNXExporter.export(model: model, inputShape: sample, to: onnx)
        let outputs = try Self.onnxruntime.run("run", [pixels], attrs: ["model": .string(onnx.path)])
        #expect(difference(try #require(outputs.first).scalars, expected) < 1e-4, "onnxruntime")
    }
}
