import Testing
import LeptonTensor
import LeptonTestSupport
import LeptonNN

/// `Dense` (Layers/Dense.swift) against `torch.nn.functional.linear` with the transposed
/// kernel, and gradient checks with respect to input, kernel and bias.
@Suite struct DenseTests {
    @Test(arguments: ActivationFunction.allCases)
    func forwardMatchesTorch(activation: ActivationFunction) throws {
        let layer = Dense(units: 5, activation: activation, inputDimensions: 4)
        layer.bias!.fillNormal(seed: 2, scale: 0.5)
        let x = TestSupport.randn([3, 4], seed: 3)
        try Torch.expectMatch("dense", [x, layer.kernel!, layer.bias!], attrs: ["activation": .string(activation.rawValue)],
                              actual: layer(x), tolerance: 1e-4, "Dense \(activation)")
    }

    @Test func forwardOnRank3InputAndWithoutBias() throws {
        let layer = Dense(units: 3, useBias: false)
        let x = TestSupport.randn([2, 5, 4], seed: 4)
        let y = layer(x)
        #expect(y.shape == [2, 5, 3])
        #expect(layer.bias == nil)
        #expect(layer.namedParameters().map(\.0) == ["kernel"])
        try Torch.expectMatch("dense", [x, layer.kernel!], actual: y, tolerance: 1e-4, "Dense rank 3")
        let images = TestSupport.randn([2, 3, 2, 4], seed: 8)
        try Torch.expectMatch("dense", [images, layer.kernel!], actual: layer(images), tolerance: 1e-4, "Dense rank 4")
        let result = GradientChecker.check(parameters: [x, layer.kernel!], maxElementsPerInput: 20) { layer(x) }
        #expect(result.passed, "Dense rank 3: \(result)")
    }

    @Test func defaultInitializersAreKeras() {
        // glorot_uniform kernel: U(−a, a), a = √(6 / (in + out)); zero bias.
        let layer = Dense(units: 300, inputDimensions: 200)
        let a = Float((6.0 / 500.0).squareRoot())
        let k = layer.kernel!.scalars
        #expect(k.allSatisfy { abs($0) <= a })
        #expect(k.max()! > 0.95 * a && k.min()! < -0.95 * a)
        let (_, std) = moments(k)
        #expect(abs(std - Double(a) / 3.0.squareRoot()) < 0.01 * Double(a))
        #expect(layer.bias!.scalars.allSatisfy { $0 == 0 })
        #expect(layer.kernel!.shape == [200, 300] && layer.bias!.shape == [300])
    }

    @Test func lazyBuildTakesInputSize() {
        let layer = Dense(units: 2)
        #expect(layer.kernel == nil && layer.parameters().isEmpty)
        _ = layer(Tensor.ones([1, 7]))
        #expect(layer.kernel!.shape == [7, 2])
        #expect(layer.parameters().count == 2)
    }

    @Test(arguments: [ActivationFunction.linear, .tanh, .softmax, .gelu])
    func gradientCheck(activation: ActivationFunction) {
        let layer = Dense(units: 3, activation: activation, inputDimensions: 4)
        layer.bias!.fillNormal(seed: 5, scale: 0.3)
        let x = TestSupport.randn([2, 4], seed: 6)
        let result = GradientChecker.check(parameters: [x, layer.kernel!, layer.bias!]) { layer(x) }
        #expect(result.passed, "Dense \(activation): \(result)")
    }

    @Test func reluGradientCheckAwayFromKink() {
        let layer = Dense(units: 3, activation: .relu, inputDimensions: 4)
        let x = TestSupport.randn([3, 4], seed: 7)
        // Pick a bias that keeps every pre-activation at least 0.2 away from zero.
        let pre = x.matmul(layer.kernel!).scalars
        var bias = [Float](repeating: 0, count: 3)
        for j in 0..<3 {
            let column = (0..<3).map { pre[$0 * 3 + j] }
            bias[j] = column.allSatisfy({ abs($0) > 0.2 }) ? 0 : 0.2 - column.min()!
        }
        layer.bias!.assign(Tensor(bias))
        let result = GradientChecker.check(parameters: [x, layer.kernel!, layer.bias!], epsilon: 1e-3) { layer(x) }
        #expect(result.passed, "Dense relu: \(result)")
    }
}
