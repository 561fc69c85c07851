import LeptonNN
import LeptonONNX
import LeptonTensor
import LeptonTestSupport
import LeptonTrain
import Testing

/// `Conv2D`, `Conv1D` and `Conv2DTranspose` exported alone (both data formats, `valid` and
/// TensorFlow-style `same` padding, strides, dilation, groups), run in onnxruntime, compared
/// with Lepton to 1e-4.
@Suite struct ConvExportTests {
    @Test func conv2D() throws {
        let x = TestSupport.randn([2, 9, 8, 4], seed: 1)
        try ExportCheck.expectMatch([Conv2D(filters: 3, kernelSize: [3, 3], activation: .relu)], input: x, "valid")
        try ExportCheck.expectMatch([Conv2D(filters: 3, kernelSize: [3, 2], strides: [2, 2], padding: .same)], input: x, "same, stride 2 (odd pads)")
        try ExportCheck.expectMatch([Conv2D(filters: 2, kernelSize: [3, 3], padding: .same, dilation: [2, 1])], input: x, "dilation")
        try ExportCheck.expectMatch([Conv2D(filters: 4, kernelSize: [1, 3], groups: 2, activation: .gelu, useBias: false)], input: x, "groups")
        let nchw = TestSupport.randn([2, 4, 7, 6], seed: 2)
        try ExportCheck.expectMatch([Conv2D(filters: 3, kernelSize: [2, 2], strides: [1, 2], padding: .same, dataFormat: .channelsFirst)],
                                    input: nchw, "channels first")
    }

    @Test func conv1D() throws {
        let x = TestSupport.randn([2, 11, 3], seed: 3)
        try ExportCheck.expectMatch([Conv1D(filters: 4, kernelSize: 3)], input: x, "valid")
        try ExportCheck.expectMatch([Conv1D(filters: 4, kernelSize: 4, strides: 2, padding: .same, activation: .sigmoid)], input: x, "same")
        try ExportCheck.expectMatch([Conv1D(filters: 2, kernelSize: 3, padding: .same, dilation: 2, useBias: false)], input: x, "dilation")
        try ExportCheck.expectMatch([Conv1D(filters: 4, kernelSize: 2, padding: .same, dataFormat: .channelsFirst)],
                                    input: TestSupport.randn([2, 3, 9], seed: 4), "channels first")
    }

    @Test func conv2DTranspose() throws {
        let x = TestSupport.randn([2, 5, 4, 3], seed: 5)
        let cases: [(Conv2DTranspose, String)] = [
            (Conv2DTranspose(filters: 2, kernelSize: [3, 3], strides: [2, 2]), "valid"),
            (Conv2DTranspose(filters: 2, kernelSize: [2, 2], strides: [3, 3]), "valid, stride above the kernel"),
            (Conv2DTranspose(filters: 2, kernelSize: [3, 3], strides: [2, 2], padding: .same), "same, odd crop"),
            (Conv2DTranspose(filters: 2, kernelSize: [4, 4], strides: [2, 2], padding: .same, activation: .relu), "same, even crop"),
            (Conv2DTranspose(filters: 2, kernelSize: [2, 2], strides: [3, 3], padding: .same), "same, stride above the kernel"),
            (Conv2DTranspose(filters: 2, kernelSize: [3, 3], strides: [2, 2], padding: .same, outputPadding: [1, 0]), "output padding"),
            (Conv2DTranspose(filters: 4, kernelSize: [3, 2], strides: [1, 2], dilation: [2, 1], groups: 1, useBias: false), "dilation"),
            (Conv2DTranspose(filters: 4, kernelSize: [3, 3], strides: [2, 1], padding: .same, groups: 2), "groups"),
        ]
        for (layer, comment) in cases {
            let input = layer.groups == 2 ? TestSupport.randn([2, 5, 4, 4], seed: 6) : x
            try ExportCheck.expectMatch([layer], input: input, comment)
        }
        try ExportCheck.expectMatch([Conv2DTranspose(filters: 3, kernelSize: [3, 3], strides: [2, 2], padding: .same, dataFormat: .channelsFirst)],
                                    input: TestSupport.randn([2, 3, 4, 5], seed: 7), "channels first")
    }
}
