import Testing
import LeptonTensor
import LeptonTestSupport
import LeptonNN

/// `BatchNormalization` and `LayerNormalization` (Layers/Normalization.swift) against
/// `torch.nn.functional.batch_norm` / `layer_norm`. Keras's momentum m is PyTorch's 1 − m
/// (Keras 0.99 == torch 0.01); epsilon is passed explicitly.
@Suite struct NormalizationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var shape: [Int]
        var axis: Int
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "dense [N, F]", shape: [6, 4], axis: -1),
        Case(name: "channels-last image", shape: [3, 4, 3, 2], axis: -1),
        Case(name: "channels-first image (axis 1)", shape: [3, 2, 4, 3], axis: 1),
        Case(name: "sequence [N, T, F]", shape: [2, 5, 3], axis: 2),
    ]

    static func batchNorm(_ c: Case, momentum: Float = 0.99, epsilon: Float = 1e-3) -> BatchNormalization {
        let features = c.shape[c.axis < 0 ? c.axis + c.shape.count : c.axis]
        let bn = BatchNormalization(axis: c.axis, momentum: momentum, epsilon: epsilon, features: features)
        bn.gamma!.assign(TestSupport.uniform([features], seed: 41, low: 0.5, high: 1.5))
        bn.beta!.fillNormal(seed: 42, scale: 0.5)
        return bn
    }

    @Test(arguments: cases)
    func trainingMatchesTorchIncludingRunningStatistics(c: Case) throws {
        for (momentum, epsilon) in [(Float(0.99), Float(1e-3)), (0.9, 1e-5)] {
            let bn = Self.batchNorm(c, momentum: momentum, epsilon: epsilon)
            bn.runningMean!.fillNormal(seed: 43, scale: 0.3)
            bn.runningVariance!.assign(TestSupport.uniform(bn.runningVariance!.shape, seed: 44, low: 0.5, high: 2))
            for step in 0..<3 {
                let x = TestSupport.randn(c.shape, seed: 45 + UInt64(step), scale: 2) + Float(step)
                let before = [bn.runningMean!.copy(), bn.runningVariance!.copy()]
                let y = bn(x)
                try Torch.expectMatch("batch_norm", [x, bn.gamma!, bn.beta!] + before,
                                      attrs: ["axis": .int(c.axis), "training": true,
                                              "momentum": .float(1 - momentum), "eps": .float(epsilon)],
                                      actual: [y, bn.runningMean!, bn.runningVariance!], tolerance: 1e-4,
                                      "BatchNormalization training \(c.name) momentum \(momentum) step \(step)")
            }
        }
    }

    @Test(arguments: cases)
    func evaluationUsesRunningStatistics(c: Case) throws {
        let bn = Self.batchNorm(c)
        bn.runningMean!.fillNormal(seed: 46, scale: 0.5)
        bn.runningVariance!.assign(TestSupport.uniform(bn.runningVariance!.shape, seed: 47, low: 0.3, high: 3))
        bn.eval()
        let x = TestSupport.randn(c.shape, seed: 48)
        let before = [bn.runningMean!.copy(), bn.runningVariance!.copy()]
        let y = bn(x)
        try Torch.expectMatch("batch_norm", [x, bn.gamma!, bn.beta!] + before,
                              attrs: ["axis": .int(c.axis), "training": false, "momentum": 0.01, "eps": 1e-3],
                              actual: [y, bn.runningMean!, bn.runningVariance!], tolerance: 1e-4,
                              "BatchNormalization eval \(c.name)")
        #expect(bn.runningMean!.scalars == before[0].scalars && bn.runningVariance!.scalars == before[1].scalars)
    }

    @Test func runningStatisticsConvergeToDataStatistics() {
        let bn = BatchNormalization(momentum: 0.9, features: 2)
        var rng = RandomGenerator(seed: 49)
        for _ in 0..<200 {
            let x = Tensor.normal([64, 2], std: 1, generator: &rng) * Tensor([2, 0.5]) + Tensor([3, -1])
            _ = bn(x)
        }
        let mean = bn.runningMean!.scalars, variance = bn.runningVariance!.scalars
        #expect(abs(mean[0] - 3) < 0.2 && abs(mean[1] + 1) < 0.05, "\(mean)")
        #expect(abs(variance[0] - 4) < 0.6 && abs(variance[1] - 0.25) < 0.04, "\(variance)")
    }

    @Test func buffersAreNotParameters() {
        let bn = BatchNormalization(features: 3)
        #expect(bn.namedParameters().map(\.0) == ["gamma", "beta"])
        #expect(bn.namedBuffers().map(\.0) == ["runningMean", "runningVariance"])
        #expect(bn.gamma!.scalars == [1, 1, 1] && bn.beta!.scalars == [0, 0, 0])
        #expect(bn.runningMean!.scalars == [0, 0, 0] && bn.runningVariance!.scalars == [1, 1, 1])
        #expect(bn.momentum == 0.99 && bn.epsilon == 1e-3)   // Keras defaults
    }

    @Test(arguments: cases)
    func gradientCheckInTrainingMode(c: Case) {
        let bn = Self.batchNorm(c)
        let x = TestSupport.randn(c.shape, seed: 50)
        let result = GradientChecker.check(parameters: [x, bn.gamma!, bn.beta!], epsilon: 1e-2,
                                           maxElementsPerInput: 48) { bn(x) }
        #expect(result.passed, "BatchNormalization training \(c.name): \(result)")
    }

    @Test func gradientCheckInEvaluationMode() {
        let c = Self.cases[1]
        let bn = Self.batchNorm(c)
        bn.runningVariance!.assign(TestSupport.uniform([2], seed: 51, low: 0.5, high: 2))
        bn.eval()
        let x = TestSupport.randn(c.shape, seed: 52)
        let result = GradientChecker.check(parameters: [x, bn.gamma!, bn.beta!]) { bn(x) }
        #expect(result.passed, "BatchNormalization eval: \(result)")
    }

    @Test(arguments: [[4, 6], [2, 3, 5]], [Float(1e-5), 1e-3])
    func layerNormMatchesTorch(shape: [Int], epsilon: Float) throws {
        let ln = LayerNormalization(epsilon: epsilon, features: shape.last!)
        ln.gamma!.assign(TestSupport.uniform([shape.last!], seed: 53, low: 0.5, high: 1.5))
        ln.beta!.fillNormal(seed: 54, scale: 0.5)
        let x = TestSupport.randn(shape, seed: 55, scale: 3) + 1
        try Torch.expectMatch("layer_norm", [x, ln.gamma!, ln.beta!], attrs: ["eps": .float(epsilon)],
                              actual: ln(x), tolerance: 1e-4, "LayerNormalization \(shape)")
        let result = GradientChecker.check(parameters: [x, ln.gamma!, ln.beta!], maxElementsPerInput: 40) { ln(x) }
        #expect(result.passed, "LayerNormalization \(shape): \(result)")
    }

    @Test func layerNormLazyBuildAndDefaults() {
        let ln = LayerNormalization()
        let y = ln(TestSupport.randn([3, 7], seed: 56))
        #expect(ln.gamma!.shape == [7] && ln.gamma!.scalars.allSatisfy { $0 == 1 } && ln.beta!.scalars.allSatisfy { $0 == 0 })
        let rows = y.scalars
        for r in 0..<3 {
            let (mean, std) = moments(Array(rows[(r * 7)..<(r * 7 + 7)]))
            #expect(abs(mean) < 1e-5 && abs(std - 1) < 1e-3)
        }
    }
}
