import LeptonCompress
import LeptonIO
import LeptonNN
import LeptonTensor
import LeptonTestSupport
import LeptonTrain
import Foundation
import Testing

/// `QuantizationAwareTraining` (QAT/QuantizationAwareTraining.swift): which layers `prepare` wraps (a
/// Conv2D with its normalisation and activation as one), fine-tuning with `fit` and a
/// `QATFreezeSchedule`, `convert` giving the int8 layers post-training quantisation gives, whose outputs
/// match the prepared model's in evaluation mode within one quantisation step, and the errors.
@Suite struct QuantizationAwareTrainingTests {
    static func model() -> Sequential {
        let model = GlobalRandom.scoped(seed: 11) {
            Sequential([Conv2D(filters: 6, kernelSize: [3, 3]), BatchNormalization(), Activation(.relu),
                        MaxPooling2D(poolSize: [2, 2]), Flatten(), LayerNormalization(), Dense(units: 12, activation: .relu),
                        Dense(units: 3)])
        }
        model.build(inputShape: [8, 8, 1])
        return model
    }

    static func data() -> (Tensor, Tensor) {
        let x = TestSupport.uniform([96, 8, 8, 1], seed: 12, low: 0, high: 1)
        let pixels = x.scalars
        var labels: [Float] = []
        for i in 0..<96 {
            let topHalf: Float = pixels[(i * 64)..<(i * 64 + 32)].reduce(0, +)
            labels.append(topHalf > 16 ? Float(i % 2 + 1) : 0)
        }
        return (x, Tensor(labels, shape: [96]).cast(to: .int32))
    }

    @Test func preparesTrainsAndConvertsToTheInt8Model() throws {
        let model = Self.model()
        let qat = QuantizationAwareTraining()
        let prepared = try qat.prepare(model)
        #expect(prepared.quantized == [["conv2d", "batch_normalization", "activation"], ["dense"], ["dense_1"]])
        #expect(prepared.unsupported.map(\.name) == ["layer_normalization"])
        #expect(prepared.model.layers.count == 6 && prepared.model.layers[0] is FakeQuantizedLayer)

        let (x, y) = Self.data()
        try prepared.model.compile(optimizer: .adam(learningRate: 1e-3), loss: "sparse_categorical_crossentropy")
        let schedule = try QATFreezeSchedule(observersAfter: 2, batchNormAfter: 1, epochs: 3)
        let first = prepared.model.layers[0] as! FakeQuantizedLayer, dense = prepared.model.layers[4] as! FakeQuantizedLayer
        var ranges: [Float] = [], means: [[Float]] = []
        let probe = LambdaCallback(onEpochEnd: { _, _, _ in
            ranges.append(dense.inputObserver.maximum ?? .nan)
            means.append(first.batchNorm!.runningMean!.scalars)
        })
        try prepared.model.fit(x: x, y: y, epochs: 3, batchSize: 16, callbacks: [schedule, probe], verbose: .silent)
        // Ranges move in epochs 0 and 1 and stop in 2; statistics move in epoch 0 only.
        #expect(ranges[0] != ranges[1] && ranges[1] == ranges[2], "\(ranges)")
        #expect(means[0] == means[1] && means[1] == means[2] && means[0] != [Float](repeating: 0, count: 6))
        #expect(first.batchNormFrozen && first.inputObserver.isFrozen && dense.frozenWeightScales != nil)

        let result = try qat.convert(prepared.model)
        #expect(result.quantized.map(\.name) == ["conv2d + max_pooling2d", "dense", "dense_1"])
        #expect(result.unsupported.map(\.name) == ["layer_normalization"])
        let layers = result.model.layers
        #expect((layers[0] as? QuantizedConv2D)?.poolSize == [2, 2] && layers[1] is Flatten && layers[2] is LayerNormalization
                && layers[3] is QuantizedDense && layers[4] is QuantizedDense)
        #expect((layers[0] as? QuantizedConv2D)?.activation == .relu)
        #expect(result.quantized[0].input == first.inputObserver.quantization)

        prepared.model.eval()
        let fake = prepared.model(x).scalars, int8 = result.model(x).scalars
        let step = (fake.max()! - fake.min()!) / 255
        let worst = zip(fake, int8).map { abs($0 - $1) }.max()!
        print("QAT eval vs int8: worst difference \(worst), one output step \(step)")
        #expect(worst <= step, "worst difference \(worst), one output step \(step)")

        QuantizedLayers.register()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-qat-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try ModelFile.save(result.model, to: folder, inputShape: [8, 8, 1])
        #expect(try ModelFile.load(from: folder)(x).scalars == int8)
    }

    @Test func reportsErrors() throws {
        #expect { try QuantizationAwareTraining().prepare(Sequential([Flatten(), LayerNormalization(features: 4)])) }
            throws: { "\($0)".contains("no Dense or channels-last Conv2D") }
        #expect { try QuantizationAwareTraining(averagingConstant: 0).prepare(Self.model()) } throws: { "\($0)".contains("(0, 1]") }
        let prepared = try QuantizationAwareTraining().prepare(Self.model())
        #expect { try QuantizationAwareTraining().convert(prepared.model) } throws: { "\($0)".contains("never saw a training batch") }
    }
}
