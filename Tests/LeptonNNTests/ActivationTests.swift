import Testing
import LeptonTensor
import LeptonTestSupport
import LeptonNN

/// Every `ActivationFunction` (Layers/Activation.swift) against its `torch.nn.functional`
/// counterpart, through the `Activation` layer, and gradient checks.
@Suite struct ActivationTests {
    @Test(arguments: ActivationFunction.allCases)
    func matchesTorch(function: ActivationFunction) throws {
        // Include large magnitudes (softplus's linear branch, saturation of sigmoid/tanh).
        let x = Tensor.concatenate([TestSupport.randn([4, 6], seed: 11, scale: 2),
                                    Tensor([-30, -8, -0.5, 0.5, 8, 30], shape: [1, 6])])
        let layer = Activation(function)
        try Torch.expectMatch("activation", [x], attrs: ["name": .string(function.rawValue)], actual: layer(x),
                              tolerance: 1e-4, "activation \(function)")
    }

    @Test(arguments: ActivationFunction.allCases)
    func gradientCheck(function: ActivationFunction) {
        let x = GradientChecker.input([3, 5], seed: 12, low: -2, high: 2, awayFrom: [0], margin: 0.05)
        let result = GradientChecker.check([x], epsilon: 1e-2) { Activation(function)($0[0]) }
        #expect(result.passed, "activation \(function): \(result)")
    }

    @Test func layerHasNoParameters() {
        #expect(Activation(.relu).parameters().isEmpty)
        #expect(Activation(.relu)(Tensor([-1, 2])).scalars == [0, 2])
    }
}
