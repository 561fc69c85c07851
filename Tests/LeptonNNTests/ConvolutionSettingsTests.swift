import LeptonNN
import LeptonTensor
import Testing

/// One settings type for Conv1D, Conv2D and Conv2DTranspose, checked once.
@Suite struct ConvolutionSettingsTests {
    @Test func defaultsFollowTheKernelsRank() throws {
        let s = try ConvolutionSettings(filters: 8, kernelSize: [3, 5])
        #expect(s.spatialRank == 2 && s.strides == [1, 1] && s.dilation == [1, 1] && s.groups == 1)
        #expect(s.spatialAxes == [1, 2] && s.channelAxis == 3 && s.layout == "[batch, height, width, channels]")
        let first = try ConvolutionSettings(filters: 4, kernelSize: [3], dataFormat: .channelsFirst)
        #expect(first.spatialAxes == [2] && first.channelAxis == 1 && first.layout == "[batch, channels, steps]")
        let dilated = try ConvolutionSettings(filters: 1, kernelSize: [3], dilation: [4])
        #expect(s.span(1) == 5 && dilated.span(0) == 9)
    }

    @Test func badSettingsThrow() {
        let cases: [(() throws -> ConvolutionSettings, String)] = [
            ({ try ConvolutionSettings(filters: 0, kernelSize: [3]) }, "filters: expected a positive integer"),
            ({ try ConvolutionSettings(filters: 6, kernelSize: [3], groups: 4) }, "groups: 4 does not divide filters 6"),
            ({ try ConvolutionSettings(filters: 6, kernelSize: [3, 3], strides: [1]) }, "strides: expected 2 values"),
            ({ try ConvolutionSettings(filters: 6, kernelSize: [0, 3]) }, "kernel_size: expected positive integers"),
            ({ try ConvolutionSettings(filters: 6, kernelSize: []) }, "kernel_size: expected at least one spatial axis"),
            ({ try ConvolutionSettings(filters: 6, kernelSize: [3], dilation: [1 << 40]) }, "dilation_rate: expected positive integers"),
        ]
        for (make, expected) in cases {
            #expect { _ = try make() } throws: { "\($0)".contains(expected) }
        }
    }

    @Test func theThreeLayersReadAndWriteTheSameKeys() throws {
        let settings = ["filters": ConfigValue.int(6), "kernel_size": .int(3), "strides": .int(2), "padding": .string("same"),
                        "groups": .int(2), "dilation_rate": .int(1)]
        for (type, rank) in [("Conv1D", 1), ("Conv2D", 2), ("Conv2DTranspose", 2)] {
            let layer = try LayerRegistry.make(.object(settings.merging(["type": .string(type)]) { $1 }), path: "layers[0]")
            let config = try #require(layer as? any ConfigurableLayer).config
            let expected = try ConvolutionSettings(config: try ConfigReader(.object(settings), path: ""), spatialRank: rank)
            let written = try ConvolutionSettings(config: try ConfigReader(.object(config), path: ""), spatialRank: rank)
            #expect(written == expected, "\(type)")
            #expect(expected.kernelSize == Array(repeating: 3, count: rank) && expected.strides == Array(repeating: 2, count: rank))
        }
    }

    @Test func configErrorsNameTheLayersPath() {
        let value = ConfigValue.object(["type": .string("Conv2D"), "filters": .int(6), "kernel_size": .int(3), "groups": .int(4)])
        #expect { _ = try LayerRegistry.make(value, path: "model.layers[2]") } throws: {
            "\($0)".contains("model.layers[2].groups: 4 does not divide filters 6")
        }
    }
}
