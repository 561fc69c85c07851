import LeptonNN
import LeptonONNX
import LeptonTensor
import LeptonTestSupport
import LeptonTrain
import Testing

/// Pooling layers exported alone, run in onnxruntime, compared with Lepton to 1e-4; `same`
/// padding must ignore padded cells as Keras does.
@Suite struct PoolingExportTests {
    @Test func maxAndAveragePooling() throws {
        let x = TestSupport.randn([2, 7, 6, 3], seed: 1)
        for padding in PaddingMode.allCases {
            try ExportCheck.expectMatch([MaxPooling2D(poolSize: [2, 2], padding: padding)], input: x, "max \(padding)")
            try ExportCheck.expectMatch([AveragePooling2D(poolSize: [2, 2], padding: padding)], input: x, "average \(padding)")
            try ExportCheck.expectMatch([MaxPooling2D(poolSize: [3, 3], strides: [2, 1], padding: padding)], input: x, "max 3×3 \(padding)")
            try ExportCheck.expectMatch([AveragePooling2D(poolSize: [3, 2], strides: [2, 2], padding: padding)], input: x, "average 3×2 \(padding)")
        }
        let nchw = TestSupport.randn([2, 3, 7, 6], seed: 2)
        try ExportCheck.expectMatch([MaxPooling2D(poolSize: [3, 3], strides: [2, 2], padding: .same, dataFormat: .channelsFirst)], input: nchw)
        try ExportCheck.expectMatch([AveragePooling2D(poolSize: [2, 3], padding: .same, dataFormat: .channelsFirst)], input: nchw)
    }

    @Test func globalAveragePooling() throws {
        try ExportCheck.expectMatch([GlobalAveragePooling2D()], input: TestSupport.randn([2, 5, 4, 3], seed: 3))
        try ExportCheck.expectMatch([GlobalAveragePooling2D(dataFormat: .channelsFirst)], input: TestSupport.randn([2, 3, 5, 4], seed: 4))
    }

    @Test func convolutionsAndPoolsShareTheirLayoutTransposes() throws {
        let model = Sequential([Conv2D(filters: 4, kernelSize: [3, 3], activation: .relu), MaxPooling2D(),
                                Conv2D(filters: 2, kernelSize: [2, 2], padding: .same), AveragePooling2D(), Flatten(), Dense(units: 3)])
        let proto = try ONNXExporter.export(model: model, inputShape: [10, 10, 1])
        #expect(proto.graph.node.filter { $0.opType == "Transpose" }.count == 2, "\(proto.graph.node.map(\.opType))")
        ExportCheck.randomize(model, seed: 3)
        let difference = try ExportCheck.maxDifference(model, input: TestSupport.randn([3, 10, 10, 1], seed: 5))
        #expect(difference <= ExportCheck.tolerance, "\(difference)")
    }
}
