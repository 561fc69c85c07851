import Testing
import LeptonCompress
import LeptonNN
import LeptonTensor
import LeptonTestSupport

/// `DynamicQuantizedBidirectional` (Layers/DynamicQuantizedBidirectional.swift): both directions in
/// dynamic int8, merged as the float `Bidirectional` merges them, with and without a mask.
@Suite struct DynamicQuantizedBidirectionalTests {
    @Test(arguments: [false, true], Bidirectional.MergeMode.allCases)
    func closeToTheFloatLayer(returnSequences: Bool, mergeMode: Bidirectional.MergeMode) {
        let float = GlobalRandom.scoped(seed: 1) {
            Bidirectional(LSTM(units: 8, returnSequences: returnSequences, inputDimensions: 6), mergeMode: mergeMode)
        }
        let int8 = DynamicQuantizedBidirectional(float)
        let x = TestSupport.randn([4, 11, 6], seed: 2)
        var m = [Float](repeating: 1, count: 44)
        for t in 8..<11 { m[t] = 0 }
        let mask = Tensor(m, shape: [4, 11])
        for (expected, got) in [(float(x), int8(x)), (float(x, mask: mask), int8.forward(x, mask: mask))] {
            #expect(expected.shape == got.shape)
            let worst = zip(expected.scalars, got.scalars).map { abs($0 - $1) }.max()!
            #expect(worst < 0.05, "\(mergeMode), sequences \(returnSequences): \(worst)")
        }
    }

    @Test func configRoundTrips() throws {
        QuantizedLayers.register()
        let int8 = DynamicQuantizedBidirectional(GlobalRandom.scoped(seed: 3) { Bidirectional(GRU(units: 5, inputDimensions: 4), mergeMode: .sum) })
        let config = try #require(LayerRegistry.config(of: int8))
        let again = try #require(try LayerRegistry.make(config, path: "layer") as? DynamicQuantizedBidirectional)
        #expect(again.config == int8.config && again.mergeMode == .sum && again.backwardLayer.cell == .gru)
        #expect(Set(again.stateDict().map(\.0)) == Set(int8.stateDict().map(\.0)))
    }
}
