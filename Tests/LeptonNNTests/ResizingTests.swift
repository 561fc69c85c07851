import LeptonNN
import LeptonTensor
import LeptonTestSupport
import Testing

/// `Resizing` and `CenterCrop` (Keras's image preprocessing layers, channels last): values and
/// gradients against PyTorch's `F.interpolate` (`python/torch_ops/preprocessing.py`), configs,
/// shape checks.
@Suite struct ResizingTests {
    static let sizes: [(Int, Int, Int, Int)] = [(5, 7, 3, 11), (8, 8, 4, 4), (6, 9, 13, 2), (7, 3, 7, 5), (4, 4, 3, 3)]

    @Test(arguments: Resizing.Interpolation.allCases)
    func matchesPyTorchValuesAndGradients(_ interpolation: Resizing.Interpolation) throws {
        for (i, (h, w, height, width)) in Self.sizes.enumerated() {
            let x = TestSupport.randn([2, h, w, 3], seed: UInt64(i)).requiringGrad()
            let layer = try Resizing(height: height, width: width, interpolation: interpolation)
            let y = layer(x)
            #expect(y.shape == [2, height, width, 3])
            let upstream = TestSupport.randn(y.shape, seed: UInt64(100 + i))
            (y * upstream).sum().backward()
            try Torch.expectMatch("resize", [x.detach(), upstream],
                                  attrs: ["height": .int(height), "width": .int(width), "interpolation": .string(interpolation.rawValue)],
                                  actual: [y.detach(), try #require(x.grad)], tolerance: 1e-5, "\(interpolation) \(h)×\(w) → \(height)×\(width)")
        }
    }

    @Test func integerPixelsBecomeFloatsAndASameSizeIsUnchanged() throws {
        let pixels = Tensor(int32: (0..<16).map(Int32.init), shape: [1, 4, 4, 1])
        let same = try Resizing(height: 4, width: 4)(pixels)
        #expect(same.dtype == .float32 && same.scalars == (0..<16).map(Float.init))
        // Halving with half-pixel centres averages each 2×2 block.
        #expect(try Resizing(height: 2, width: 2)(pixels).scalars == [2.5, 4.5, 10.5, 12.5])
        #expect(try Resizing(height: 2, width: 2, interpolation: .nearest)(pixels).scalars == [5, 7, 13, 15])
    }

    @Test func centerCropTakesTheMiddleRoundingDown() throws {
        let x = Tensor((0..<30).map(Float.init), shape: [1, 5, 6, 1])
        let crop = try CenterCrop(height: 2, width: 3)
        #expect(crop.offsets(inputHeight: 5, inputWidth: 6) == (1, 1))
        #expect(crop(x).shape == [1, 2, 3, 1] && crop(x).scalars == [7, 8, 9, 13, 14, 15])
        #expect(try CenterCrop(height: 5, width: 6)(x).scalars == x.scalars)
    }

    @Test func configsRoundTripAndBadOnesAreErrors() throws {
        let layer = try Resizing(height: 24, width: 32, interpolation: .nearest)
        let config = try #require(LayerRegistry.config(of: layer))
        let rebuilt = try #require(try LayerRegistry.make(config, path: "l") as? Resizing)
        #expect(rebuilt.height == 24 && rebuilt.width == 32 && rebuilt.interpolation == .nearest)
        let crop = try #require(try LayerRegistry.make(["type": "CenterCrop", "height": 8, "width": 9], path: "l") as? CenterCrop)
        #expect(crop.height == 8 && crop.width == 9)
        func error(_ config: ConfigValue) -> String {
            do { _ = try LayerRegistry.make(config, path: "layers[0]"); return "" } catch { return "\(error)" }
        }
        #expect(error(["type": "Resizing", "height": 0, "width": 4]).contains("layers[0].height: expected an integer ≥ 1"))
        #expect(error(["type": "Resizing", "height": 4]).contains("layers[0].width: missing"))
        #expect(error(["type": "Resizing", "height": 4, "width": 4, "interpolation": "bicubic"]).contains("unknown value \"bicubic\""))
        #expect(error(["type": "CenterCrop", "height": 4, "width": 4, "crop_to_aspect_ratio": true]).contains("unknown key"))
    }

    @Test func shapeCheckRefusesCropsLargerThanTheImage() throws {
        let images = TensorSpec(shape: [1, 20, 30, 3])
        let layers: [Module] = [try Resizing(height: 16, width: 16), try CenterCrop(height: 12, width: 10)]
        #expect(try ShapeCheck.check(layers, input: images).output == TensorSpec(shape: [1, 12, 10, 3]))
        #expect(throws: ConfigError.self) { try ShapeCheck.check([try CenterCrop(height: 24, width: 24)], input: images) }
        #expect(throws: ConfigError.self) { try ShapeCheck.check([try Resizing(height: 4, width: 4)], input: TensorSpec(shape: [1, 20, 30])) }
        // Integer pixels are taken and become floats.
        #expect(try ShapeCheck.check(layers, input: TensorSpec(shape: [1, 20, 30, 3], dtype: .int32)).output.dtype == .float32)
    }
}
