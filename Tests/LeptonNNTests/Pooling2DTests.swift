import Testing
import LeptonTensor
import LeptonTestSupport
import LeptonNN

/// `MaxPooling2D`, `AveragePooling2D` and `GlobalAveragePooling2D` (Layers/Pooling2D.swift)
/// against a loop reference in NumPy with Keras's semantics ('same': output ceil(size /
/// stride), padded cells ignored by both max and average), and `torch.nn.functional`
/// pooling for 'valid'; gradient checks.
@Suite struct Pooling2DTests {
    struct Config: Sendable, CustomTestStringConvertible {
        var name: String
        var input: [Int]          // [N, H, W, C]
        var pool: [Int]
        var strides: [Int]? = nil
        var padding = PaddingMode.valid
        var testDescription: String { name }
    }

    static let configs: [Config] = [
        Config(name: "2×2 valid", input: [2, 4, 6, 3], pool: [2, 2]),
        Config(name: "2×2 valid, odd size", input: [1, 5, 5, 2], pool: [2, 2]),
        Config(name: "3×3 stride 1 valid", input: [1, 5, 6, 2], pool: [3, 3], strides: [1, 1]),
        Config(name: "3×2 stride (2, 1) valid", input: [2, 7, 5, 1], pool: [3, 2], strides: [2, 1]),
        Config(name: "2×2 same, odd size", input: [1, 5, 5, 2], pool: [2, 2], padding: .same),
        Config(name: "3×3 stride 1 same", input: [2, 4, 5, 2], pool: [3, 3], strides: [1, 1], padding: .same),
        Config(name: "3×3 stride 2 same", input: [1, 6, 7, 3], pool: [3, 3], strides: [2, 2], padding: .same),
        Config(name: "2×3 stride (1, 2) same", input: [1, 5, 6, 2], pool: [2, 3], strides: [1, 2], padding: .same),
        Config(name: "2×2 same, even size (no padding)", input: [1, 4, 4, 2], pool: [2, 2], padding: .same),
        Config(name: "2×2 stride 3 valid (gaps)", input: [1, 7, 8, 2], pool: [2, 2], strides: [3, 3]),
        Config(name: "2×2 stride 3 same (gaps, pad after)", input: [1, 7, 7, 2], pool: [2, 2], strides: [3, 3], padding: .same),
        Config(name: "5×5 same on 3×4 (window larger than image)", input: [1, 3, 4, 1], pool: [5, 5], strides: [1, 1], padding: .same),
    ]

    static func layer(_ c: Config, max: Bool, format: DataFormat) -> Pooling2D {
        max ? MaxPooling2D(poolSize: c.pool, strides: c.strides, padding: c.padding, dataFormat: format)
            : AveragePooling2D(poolSize: c.pool, strides: c.strides, padding: c.padding, dataFormat: format)
    }

    static func input(_ c: Config, format: DataFormat, distinct: Bool) -> Tensor {
        let x = distinct ? GradientChecker.distinct(c.input, seed: 31) : TestSupport.randn(c.input, seed: 32)
        return format == .channelsLast ? x : x.permute([0, 3, 1, 2]).copy()
    }

    static func attrs(_ c: Config, max: Bool, format: DataFormat) -> OracleAttributes {
        ["kind": max ? "max" : "avg", "pool": .ints(c.pool), "stride": .ints(c.strides ?? c.pool),
         "padding": .string(c.padding.rawValue), "data_format": .string(format.rawValue)]
    }

    @Test(arguments: configs, [DataFormat.channelsLast, .channelsFirst])
    func forwardMatchesReference(c: Config, format: DataFormat) throws {
        for max in [true, false] {
            let x = Self.input(c, format: format, distinct: false)
            let y = Self.layer(c, max: max, format: format)(x)
            let attrs = Self.attrs(c, max: max, format: format)
            try Torch.expectMatch("pool2d", [x], attrs: attrs, actual: y, tolerance: 1e-5,
                                  "\(max ? "max" : "avg") pool \(c.name) \(format)")
            if c.padding == .valid {
                try Torch.expectMatch("torch_pool2d", [x], attrs: attrs, actual: y, tolerance: 1e-5,
                                      "\(max ? "max" : "avg") pool \(c.name) \(format) vs torch")
            }
        }
    }

    @Test func sameAveragePoolingIgnoresPadding() {
        // A constant image stays constant under Keras 'same' average pooling, edges included.
        let y = AveragePooling2D(poolSize: [3, 3], strides: [2, 2], padding: .same)(Tensor.full([1, 5, 4, 1], 2))
        #expect(y.shape == [1, 3, 2, 1])
        #expect(y.scalars.allSatisfy { abs($0 - 2) < 1e-6 })
        // Max pooling never picks a padded zero over negative values.
        let m = MaxPooling2D(poolSize: [2, 2], padding: .same)(Tensor.full([1, 3, 3, 1], -5))
        #expect(m.shape == [1, 2, 2, 1] && m.scalars.allSatisfy { $0 == -5 })
    }

    @Test(arguments: configs, [DataFormat.channelsLast, .channelsFirst])
    func gradientCheck(c: Config, format: DataFormat) {
        for max in [true, false] {
            let x = Self.input(c, format: format, distinct: max)
            let layer = Self.layer(c, max: max, format: format)
            let result = GradientChecker.check([x], maxElementsPerInput: 60) { layer($0[0]) }
            #expect(result.passed, "\(max ? "max" : "avg") pool \(c.name) \(format): \(result)")
        }
    }

    @Test(arguments: [DataFormat.channelsLast, .channelsFirst])
    func globalAveragePooling(format: DataFormat) throws {
        let x = TestSupport.randn([2, 4, 5, 3], seed: 33)
        let layerInput = format == .channelsLast ? x : x.permute([0, 3, 1, 2]).copy()
        let layer = GlobalAveragePooling2D(dataFormat: format)
        let y = layer(layerInput)
        #expect(y.shape == [2, 3])
        try Torch.expectMatch("global_avg_pool2d", [layerInput], attrs: ["data_format": .string(format.rawValue)],
                              actual: y, tolerance: 1e-5, "GlobalAveragePooling2D \(format)")
        let result = GradientChecker.check([layerInput]) { layer($0[0]) }
        #expect(result.passed, "GlobalAveragePooling2D \(format): \(result)")
    }
}
