import LeptonNN
import LeptonONNX
import LeptonTensor
import LeptonTestSupport
import LeptonTrain
import Testing

/// `SimpleRNN`, `LSTM`, `GRU` and `Bidirectional` exported as ONNX `RNN`/`LSTM`/`GRU` (gate
/// orders converted), run in onnxruntime, compared with Lepton to 1e-4: last output and full
/// sequences, `go_backwards`, every merge mode.
@Suite struct RecurrentExportTests {
    enum Kind: String, CaseIterable { case rnnTanh, rnnRelu, lstm, gru }

    func make(_ kind: Kind, units: Int = 5, returnSequences: Bool, goBackwards: Bool = false, useBias: Bool = true) -> RecurrentLayer {
        switch kind {
        case .rnnTanh: SimpleRNN(units: units, returnSequences: returnSequences, goBackwards: goBackwards, useBias: useBias)
        case .rnnRelu: SimpleRNN(units: units, activation: .relu, returnSequences: returnSequences, goBackwards: goBackwards, useBias: useBias)
        case .lstm: LSTM(units: units, returnSequences: returnSequences, goBackwards: goBackwards, useBias: useBias)
        case .gru: GRU(units: units, returnSequences: returnSequences, goBackwards: goBackwards, useBias: useBias)
        }
    }

    @Test(arguments: Kind.allCases)
    func singleDirection(_ kind: Kind) throws {
        let x = TestSupport.randn([3, 7, 4], seed: 1)
        for returnSequences in [false, true] {
            for goBackwards in [false, true] {
                try ExportCheck.expectMatch([make(kind, returnSequences: returnSequences, goBackwards: goBackwards)], input: x,
                                            "\(kind) sequences \(returnSequences) backwards \(goBackwards)")
            }
        }
        try ExportCheck.expectMatch([make(kind, returnSequences: true, useBias: false)], input: x, "\(kind) without bias")
    }

    @Test(arguments: Bidirectional.MergeMode.allCases)
    func bidirectional(_ merge: Bidirectional.MergeMode) throws {
        let x = TestSupport.randn([2, 6, 3], seed: 2)
        for kind in [Kind.lstm, .gru, .rnnTanh] {
            for returnSequences in [false, true] {
                try ExportCheck.expectMatch([Bidirectional(make(kind, units: 4, returnSequences: returnSequences), mergeMode: merge)],
                                            input: x, "\(kind) \(merge) sequences \(returnSequences)")
            }
        }
    }

    @Test func stackedLayersAfterAnEmbedding() throws {
        let ids = ExportCheck.ids([3, 9], bound: 20, seed: 3)
        try ExportCheck.expectMatch([Embedding(vocabularySize: 20, dimensions: 6), LSTM(units: 5, returnSequences: true),
                                     Bidirectional(GRU(units: 3)), Dense(units: 1, activation: .sigmoid)], input: ids)
    }
}
