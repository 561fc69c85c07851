import Testing
import LeptonCompress
import LeptonNN
import LeptonTensor
import LeptonTestSupport

/// The calibration methods (Calibration/): min/max keeps an outlier in range, percentile and
/// entropy clip it, so their scales are finer on the bulk of the values.
@Suite struct CalibrationMethodTests {
    static func inputQuantization(_ method: CalibrationMethod, _ x: Tensor) throws -> ActivationQuantization {
        let model = Sequential([Dense(units: 3, inputDimensions: x.shape[1])])
        return try PostTrainingQuantizer(method: method).quantize(model, calibration: x, batchSize: 100).quantized[0].input
    }

    @Test func outliersAreClippedByPercentileAndEntropy() throws {
        var values = TestSupport.uniform([200, 50], seed: 1, low: 0, high: 1).scalars
        values[17] = 100
        let x = Tensor(values, shape: [200, 50])
        let minmax = try Self.inputQuantization(.minmax, x)
        #expect(abs(minmax.scale - 100 / 255) < 1e-5 && minmax.zeroPoint == 0)
        // Entropy keeps at least 255 of the 2048 histogram bins (TensorRT's search starts there),
        // so it clips an outlier 100 times the bulk to an eighth of it; percentile clips further.
        for (method, factor) in [(CalibrationMethod.percentile, Float(20)), (.entropy, 5)] {
            let q = try Self.inputQuantization(method, x)
            #expect(q.scale < minmax.scale / factor, "\(method): \(q)")
            #expect(Float(255 - q.zeroPoint) * q.scale > 0.9, "\(method) keeps the bulk of the values: \(q)")
        }
    }

    @Test func entropyKeepsAnUnclippedUniformRange() throws {
        let x = TestSupport.uniform([1000, 100], seed: 2, low: -1, high: 3)
        let q = try Self.inputQuantization(.entropy, x)
        print("entropy calibration of uniform [-1, 3]: \(q), range \(q.value(0))...\(q.value(255))")
        #expect(q.value(255) > 2.8 && q.value(0) < -0.9, "\(q)")
    }
}
