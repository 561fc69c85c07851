import LeptonNN
import LeptonONNX
import LeptonTensor
import LeptonTestSupport
import LeptonTrain
import Testing

/// `Flatten`, `Reshape` and `Dropout` exported, run in onnxruntime, compared with Lepton.
@Suite struct ShapingExportTests {
    @Test func flattenKeepsLeptonsElementOrder() throws {
        try ExportCheck.expectMatch([Flatten()], input: TestSupport.randn([2, 3, 4, 5], seed: 1))
        try ExportCheck.expectMatch([Flatten(), Dense(units: 3)], input: TestSupport.randn([2, 4, 2], seed: 2))
        try ExportCheck.expectMatch([Flatten()], input: TestSupport.randn([5], seed: 3), "rank-1 input → [batch, 1]")
    }

    @Test func reshapeResolvesTheTargetAndKeepsTheBatchFree() throws {
        try ExportCheck.expectMatch([Reshape([4, -1])], input: TestSupport.randn([2, 3, 4], seed: 4))
        try ExportCheck.expectMatch([Reshape([2, 3, 2]), Dense(units: 2)], input: TestSupport.randn([3, 12], seed: 5))
    }

    @Test func dropoutIsTheIdentity() throws {
        try ExportCheck.expectMatch([Dropout(rate: 0.5)], input: TestSupport.randn([3, 4], seed: 6), "dropout alone")
        try ExportCheck.expectMatch([Dense(units: 4), Dropout(rate: 0.3), Dense(units: 2)], input: TestSupport.randn([3, 4], seed: 7))
        let proto = try ONNXExporter.export(model: .init([Dropout(rate: 0.5)]), inputShape: [4])
        #expect(proto.graph.node.map(\.opType) == ["Identity"])
    }
}
