import LeptonNN
import LeptonONNX
import LeptonTensor
import LeptonTestSupport
import LeptonTrain
import Testing

/// `Dense` and `Activation` exported alone, run in onnxruntime, compared with Lepton to 1e-4.
@Suite struct DenseExportTests {
    @Test func denseOnMatricesAndSequences() throws {
        try ExportCheck.expectMatch([Dense(units: 5, activation: .relu)], input: TestSupport.randn([3, 4], seed: 1))
        try ExportCheck.expectMatch([Dense(units: 6, activation: .tanh)], input: TestSupport.randn([2, 3, 4], seed: 2), "rank 3")
        try ExportCheck.expectMatch([Dense(units: 3, useBias: false)], input: TestSupport.randn([2, 2, 3, 4], seed: 3), "rank 4, no bias")
    }

    @Test(arguments: ActivationFunction.allCases)
    func everyActivation(_ function: ActivationFunction) throws {
        // ±6 reaches the tails of softplus, ELU and GELU.
        try ExportCheck.expectMatch([Activation(function)], input: TestSupport.randn([4, 9], seed: 4, scale: 3), "\(function)")
        try ExportCheck.expectMatch([Dense(units: 4, activation: function)], input: TestSupport.randn([2, 3, 5], seed: 5), "Dense + \(function)")
    }
}
