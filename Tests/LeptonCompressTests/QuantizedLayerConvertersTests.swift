import Foundation
import Testing
import LeptonCompress
import LeptonData
import LeptonNN
import LeptonONNX
import LeptonTensor
import LeptonTestSupport
import LeptonTrain

/// The QDQ export of the quantised layers (Export/QuantizedLayerConverters.swift): an MNIST CNN
/// trained for one epoch on 6,000 images and quantised by `PostTrainingQuantizer` is exported to
/// ONNX; ONNX Runtime (`python/onnx_oracle.py`, which also runs `onnx.checker`) and Lepton's own
/// importer run it on 1,000 test images and agree with Lepton's int8 inference (same argmax ≥ 99.5 %).
@Suite(.serialized) struct QuantizedLayerConvertersTests {
    static let oracle = NumPyOracle(script: "python/onnx_oracle.py")

    /// The trained float model, its int8 version and the test images.
    static func mnistModels() throws -> (float: Sequential, int8: Sequential, test: Tensor) {
        let splits = try DatasetCatalog.mnist(directory: DatasetLocation.directory(named: "mnist"), trainLimit: 6000, testLimit: 1000)
        GlobalRandom.seed(5)
        let model = Sequential([Rescaling(scale: 1 / 255), Conv2D(filters: 16, kernelSize: [3, 3], activation: .relu),
                                MaxPooling2D(poolSize: [2, 2]), Flatten(), Dense(units: 64, activation: .relu),
                                Dense(units: 10, activation: .softmax)])
        model.build(inputShape: [28, 28, 1])
        try model.compile(optimizer: "adam", loss: "sparse_categorical_crossentropy")
        _ = try model.fit(x: splits.trainX, y: splits.trainY, epochs: 1, batchSize: 64, verbose: .silent)
        model.eval()
        let calibration = splits.trainX.slice(axis: 0, start: 0, end: 320)
        let int8 = try PostTrainingQuantizer(method: .minmax).quantize(model, calibration: calibration, batchSize: 32).model
        int8.eval()
        return (model, int8, splits.testX)
    }

    static func argmax(_ scores: Tensor) -> [Int] {
        let classes = scores.shape[1], p = scores.scalars
        return (0..<scores.shape[0]).map { row in (0..<classes).max { p[row * classes + $0] < p[row * classes + $1] }! }
    }

    static func agreement(_ a: [Int], _ b: [Int]) -> Double {
        Double(zip(a, b).filter { $0 == $1 }.count) / Double(a.count)
    }

    @Test func onnxRuntimeAndTheImporterAgreeWithLeptonInt8() throws {
        let (_, int8, test) = try Self.mnistModels()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-qdq-\(UUID().uuidString).onnx")
        defer { try? FileManager.default.removeItem(at: url) }
        let proto = try ONNXExporter(additionalConverters: QuantizedLayers.onnxConverters).makeModel(int8, inputShape: [28, 28, 1])
        #expect(proto.graph.node.contains { $0.opType == "QuantizeLinear" } && proto.graph.node.contains { $0.opType == "DequantizeLinear" })
        let int8Initializers = proto.graph.initializer.filter { $0.dataType == ONNXElementType.int8.rawValue }
        let int8Bytes: Int = int8Initializers.map(\.rawData.count).reduce(0, +)
        #expect(int8Bytes == 16 * 9 + 64 * 13 * 13 * 16 + 10 * 64 + 16 + 64 + 10)   // the kernels and their zero points, one byte each
        try ONNXModelFile.write(proto, to: url)
        let lepton = Self.argmax(Tensor.withoutGrad { int8(test) })
        let onnxRuntime = try Self.oracle.run("run", [test], attrs: ["model": .string(url.path)])
        let ortAgreement = Self.agreement(lepton, Self.argmax(try #require(onnxRuntime.first)))
        let imported = try ONNXImporter.load(url)
        let importedAgreement = Self.agreement(lepton, Self.argmax(imported.predict(test, batchSize: 256)))
        print("QDQ MNIST CNN, 1,000 test images: same argmax as Lepton int8 — onnxruntime \(100 * ortAgreement) %, "
              + "Lepton's importer \(100 * importedAgreement) %")
        #expect(ortAgreement >= 0.995)
        #expect(importedAgreement >= 0.995)
    }
}
