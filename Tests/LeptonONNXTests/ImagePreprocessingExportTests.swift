import LeptonNN
import LeptonONNX
import LeptonTensor
import LeptonTestSupport
import LeptonTrain
import Testing

/// `Resizing` (ONNX `Resize`, half-pixel coordinates) and `CenterCrop` (`Slice`) travel with the
/// model into ONNX: onnxruntime fed raw 0–255 pixels of the files' size gives what Lepton gives.
@Suite struct ImagePreprocessingExportTests {
    @Test(arguments: Resizing.Interpolation.allCases)
    func resizingMatchesOnnxRuntime(_ interpolation: Resizing.Interpolation) throws {
        for (h, w, height, width) in [(5, 7, 3, 11), (8, 8, 4, 4), (6, 9, 13, 2), (28, 28, 20, 24)] {
            let pixels = PreprocessingExportTests.pixels([3, h, w, 2], seed: UInt64(h * w))
            // Alone (its values 0–255 compared to the tolerance scaled by 255) and before a convolution.
            let alone = try ExportCheck.maxDifference(Sequential([try Resizing(height: height, width: width, interpolation: interpolation)]),
                                                      input: pixels)
            #expect(alone <= 255 * ExportCheck.tolerance, "\(interpolation) \(h)×\(w) → \(height)×\(width): \(alone)")
            try ExportCheck.expectMatch([try Resizing(height: height, width: width, interpolation: interpolation), Rescaling(scale: 1.0 / 255),
                                         Conv2D(filters: 2, kernelSize: [2, 2]), Flatten(), Dense(units: 3)],
                                        input: pixels, "\(interpolation) \(h)×\(w) → \(height)×\(width)")
        }
    }

    @Test func centerCropAndAWholeImagePipeline() throws {
        let pixels = PreprocessingExportTests.pixels([4, 30, 26, 3], seed: 8)
        try ExportCheck.expectMatch([try CenterCrop(height: 21, width: 20), Rescaling(scale: 1.0 / 255), Flatten(), Dense(units: 2)],
                                    input: pixels, "crop")
        try ExportCheck.expectMatch([try Resizing(height: 24, width: 24), try CenterCrop(height: 20, width: 20), Rescaling(scale: 1.0 / 255),
                                     Conv2D(filters: 4, kernelSize: [3, 3], activation: .relu), MaxPooling2D(poolSize: [2, 2]),
                                     Flatten(), Dense(units: 3, activation: .softmax)],
                                    input: pixels, "resize, crop, rescale, CNN")
        // Integer pixels: a Cast to float first.
        let ids = Tensor(int32: pixels.scalars.map { Int32($0) }, shape: pixels.shape)
        try ExportCheck.expectMatch([try CenterCrop(height: 10, width: 10), Rescaling(scale: 1.0 / 255), Flatten(), Dense(units: 2)],
                                    input: ids, "int32 pixels")
    }
}
