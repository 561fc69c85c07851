import LeptonNN
import LeptonONNX
import LeptonTensor
import LeptonTestSupport
import LeptonTrain
import Testing

/// `Rescaling` and `Normalization` travel with the model into ONNX: onnxruntime fed the raw values
/// (pixels 0–255) gives what Lepton gives.
@Suite struct PreprocessingExportTests {
    /// Pixel-like values 0–255.
    static func pixels(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = RandomGenerator(seed: seed)
        return Tensor((0..<shape.reduce(1, *)).map { _ in Float(g.next() % 256) }, shape: shape)
    }

    @Test func rescalingBeforeAConvolution() throws {
        try ExportCheck.expectMatch([Rescaling(scale: 1.0 / 255), Conv2D(filters: 3, kernelSize: [3, 3]), Flatten(), Dense(units: 2)],
                                    input: Self.pixels([3, 6, 6, 1], seed: 1), "0–255 pixels")
        try ExportCheck.expectMatch([Rescaling(scale: 2, offset: -1), Dense(units: 3)], input: TestSupport.randn([4, 5], seed: 2), "offset")
    }

    @Test func normalizationAdaptedPerFeatureAndOverall() throws {
        let images = Self.pixels([16, 5, 5, 3], seed: 3)
        let perChannel = Normalization()
        try perChannel.adapt(images)
        try ExportCheck.expectMatch([perChannel, Flatten(), Dense(units: 2)], input: images, "per channel", randomWeights: false)
        let overall = Normalization(axis: nil)
        try overall.adapt(images)
        #expect(overall.mean?.shape == [1])
        try ExportCheck.expectMatch([overall, Conv2D(filters: 2, kernelSize: [3, 3])], input: images, "one mean", randomWeights: false)
    }
}
