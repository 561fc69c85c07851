import Foundation
import Testing
import LeptonCompress
import LeptonIO
import LeptonNN
import LeptonTensor
import LeptonTestSupport

/// `PostTrainingQuantizer` (Quantization/PostTrainingQuantizer.swift): which layers it replaces,
/// what it leaves in float32 and says so, the errors for bad calibration data, and a quantised
/// model that survives `ModelFile` save and load.
@Suite struct PostTrainingQuantizerTests {
    static func cnn() -> Sequential {
        let model = Sequential([Conv2D(filters: 8, kernelSize: [3, 3], activation: .relu), MaxPooling2D(poolSize: [2, 2]),
                                Flatten(), Dense(units: 16, activation: .relu), Dense(units: 4, activation: .softmax)])
        model.build(inputShape: [8, 8, 1])
        return model
    }

    @Test func replacesDenseAndConvolutions() throws {
        let model = Self.cnn()
        let x = TestSupport.uniform([20, 8, 8, 1], seed: 1, low: 0, high: 1)
        for method in CalibrationMethod.allCases {
            let result = try PostTrainingQuantizer(method: method).quantize(model, calibration: x, batchSize: 6, inputShape: [8, 8, 1])
            // The pooling after the convolution is fused into it.
            #expect(result.model.layers.count == 4 && (result.model.layers[0] as? QuantizedConv2D)?.poolSize == [2, 2]
                    && result.model.layers[1] is Flatten && result.model.layers[2] is QuantizedDense
                    && result.model.layers[3] is QuantizedDense, "\(method)")
            let names = model.layerNames
            #expect(result.quantized.map(\.name) == ["\(names[0]) + \(names[1])", names[3], names[4]])
            #expect(result.unsupported.isEmpty)
            let float = model(x).scalars, int8 = result.model(x).scalars
            let differences = zip(float, int8).map { abs($0 - $1) }
            let mean = differences.reduce(0, +) / Float(differences.count)
            print("\(method): probabilities differ by \(mean) on average, \(differences.max()!) at worst")
            #expect(mean < 0.02 && differences.max()! < 0.15, "\(method): mean \(mean), worst \(differences.max()!)")
        }
    }

    @Test func namesLayersLeftInFloat() throws {
        let model = Sequential([Dense(units: 6, inputDimensions: 3), LayerNormalization(), Dense(units: 2)])
        model.build(inputShape: [3])
        let result = try PostTrainingQuantizer().quantize(model, calibration: TestSupport.randn([5, 3], seed: 2), batchSize: 5)
        #expect(result.unsupported.count == 1)
        #expect(result.unsupported.first?.name == model.layerNames[1])
        #expect(result.unsupported.first?.reason.contains("LayerNormalization") == true)
    }

    @Test func refusesBadCalibrationData() {
        let model = Self.cnn()
        let quantizer = PostTrainingQuantizer()
        #expect { try quantizer.quantize(model, calibration: TestSupport.randn([4, 28, 28, 1], seed: 3), batchSize: 2, inputShape: [8, 8, 1]) }
            throws: { "\($0)".contains("[28, 28, 1]") && "\($0)".contains("[8, 8, 1]") }
        #expect { try quantizer.quantize(model, calibration: TestSupport.randn([4, 8, 8, 3], seed: 3), batchSize: 2) }
            throws: { "\($0)".contains("calibration batch of shape [2, 8, 8, 3]") && "\($0)".contains("channels") }
        #expect { try quantizer.quantize(model, calibration: Tensor.zeros([0, 8, 8, 1]), batchSize: 2) }
            throws: { "\($0)".contains("empty") }
        #expect { try quantizer.quantize(model, calibration: TestSupport.randn([4, 8, 8, 1], seed: 3), batchSize: 0) }
            throws: { "\($0)".contains("batch size 0") }
    }

    @Test func savedModelLoadsAndAgrees() throws {
        QuantizedLayers.register()
        let model = Self.cnn()
        let x = TestSupport.uniform([10, 8, 8, 1], seed: 4, low: 0, high: 1)
        let result = try PostTrainingQuantizer(method: .percentile).quantize(model, calibration: x, batchSize: 10)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-ptq-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try ModelFile.save(result.model, to: folder, inputShape: [8, 8, 1])
        let loaded = try ModelFile.load(from: folder)
        #expect(loaded.layers[0] is QuantizedConv2D && loaded.layers[2] is QuantizedDense && loaded.layers[3] is QuantizedDense)
        #expect(loaded(x).scalars == result.model(x).scalars)
        let int8 = loaded.stateDict().filter { $0.1.dtype == .int8 }.reduce(0) { $0 + $1.1.count }
        #expect(int8 == 8 * 9 + 16 * 72 + 4 * 16)
    }
}
