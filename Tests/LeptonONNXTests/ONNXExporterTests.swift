import Foundation
import LeptonNN
import LeptonONNX
import LeptonTensor
import LeptonTestSupport
import LeptonTrain
import Testing

/// A layer the exporter does not know, for the error and extension tests.
final class Doubler: Module {
    override func forward(_ input: Tensor) -> Tensor { input * 2 }
}

/// Converts ``Doubler`` (the extension point for custom layers).
struct DoublerConverter: ONNXLayerConverter {
    let layerTypes: [Module.Type] = [Doubler.self]
    func convert(_ layer: Module, _ step: ONNXLayerStep) throws -> String {
        step.graph.node("Mul", [step.input, step.graph.scalar(2, name: "factor")])
    }
}

/// The exported model's interface (opset, IR version, names, the dynamic batch axis,
/// initializer names), errors for what cannot be exported, custom converters, and the file.
@Suite struct ONNXExporterTests {
    func smallCNN() -> Sequential {
        Sequential([Conv2D(filters: 2, kernelSize: [3, 3], activation: .relu), MaxPooling2D(), Flatten(), Dense(units: 3, activation: .softmax)])
    }

    @Test func interfaceOfTheExportedModel() throws {
        let proto = try ONNXExporter.export(model: smallCNN(), inputShape: [8, 8, 1])
        #expect(proto.irVersion == 8 && proto.opsetImport.count == 1)
        #expect(proto.opsetImport[0].domain == "" && proto.opsetImport[0].version == 17)
        #expect(proto.producerName == "lepton")
        let graph = proto.graph
        #expect(graph.input.map(\.name) == ["input"] && graph.output.map(\.name) == ["output"])
        let inputDims = graph.input[0].type.tensorType.shape.dim
        #expect(inputDims.map(\.dimParam) == ["batch", "", "", ""] && inputDims.dropFirst().map(\.dimValue) == [8, 8, 1])
        let outputDims = graph.output[0].type.tensorType.shape.dim
        #expect(outputDims.map(\.dimParam) == ["batch", ""] && outputDims[1].dimValue == 3)
        #expect(Set(graph.initializer.map(\.name)) == ["layers.0.kernel", "layers.0.bias", "layers.3.kernel", "layers.3.bias"])
        #expect(graph.node.map(\.opType) == ["Transpose", "Conv", "Relu", "MaxPool", "Transpose", "Flatten", "MatMul", "Add", "Softmax"])
        #expect(graph.node.last?.output == ["output"])
    }

    @Test func anyBatchSizeRuns() throws {
        let model = smallCNN()
        model.build(inputShape: [8, 8, 1])
        ExportCheck.randomize(model, seed: 1)
        for batch in [1, 5] {
            let difference = try ExportCheck.maxDifference(model, input: TestSupport.randn([batch, 8, 8, 1], seed: UInt64(batch)))
            #expect(difference <= ExportCheck.tolerance, "batch \(batch): \(difference)")
        }
    }

    @Test func unsupportedLayersAreNamedWithTheirIndex() throws {
        let model = Sequential([Dense(units: 3), Doubler(), Dense(units: 1)])
        do {
            _ = try ONNXExporter.export(model: model, inputShape: [4])
            Issue.record("expected an error")
        } catch let error as ONNXError {
            #expect(error.description.hasPrefix("layer 1 (Doubler): no ONNX converter for Doubler; the exporter supports "), "\(error)")
            #expect(error.description.contains("Conv2D") && error.description.contains("LSTM"), "\(error)")
        }
        let exporter = ONNXExporter(additionalConverters: [DoublerConverter()])
        #expect(exporter.supportedLayerNames.contains("Doubler"))
        model.build(inputShape: [4])
        let difference = try ExportCheck.maxDifference(model, input: TestSupport.randn([2, 4], seed: 2), exporter: exporter)
        #expect(difference <= ExportCheck.tolerance, "\(difference)")
    }

    @Test func badInputDescriptionsAreRefused() throws {
        let cases: [(Sequential, [Int], DType, String)] = [
            (Sequential([Dense(units: 2)]), [0, 3], .float32, "input shape [0, 3] must have positive dimensions"),
            (Sequential([Dense(units: 2)]), [3], .int8, "input dtype int8 cannot be exported (expected float32 or int32)"),
            (Sequential([]), [3], .float32, "the model has no layers"),
        ]
        for (model, shape, dtype, message) in cases {
            #expect(throws: ONNXError.self) { try ONNXExporter.export(model: model, inputShape: shape, inputDType: dtype) }
            do { _ = try ONNXExporter.export(model: model, inputShape: shape, inputDType: dtype) } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
    }

    @Test func exportKeepsTheTrainingModeAndWritesAFile() throws {
        let model = Sequential([Dense(units: 2), Dropout(rate: 0.5)])
        model.train()
        let url = ExportCheck.temporaryModelURL()
        defer { try? FileManager.default.removeItem(at: url) }
        try ONNXExporter.export(model: model, inputShape: [3], to: url)
        #expect(model.isTraining && model.layers[1].isTraining, "export switched the model to evaluation mode only while it ran")
        let read = try ONNXModelFile.read(url)
        #expect(read.graph.output.map(\.name) == ["output"])
        _ = try ExportCheck.oracle.run("check", [], attrs: ["model": .string(url.path)])
        let missing = URL(fileURLWithPath: "/nonexistent-folder/model.onnx")
        do { try ONNXExporter.export(model: model, inputShape: [3], to: missing); Issue.record("expected an error") } catch let error as ONNXError {
            #expect(error.description.contains("cannot write the file"), "\(error)")
        }
    }
}
