import Testing
import LeptonTensor
import LeptonTestSupport
import LeptonNN

/// `clipGradients(_:maxNorm:)` and `clipGradients(_:value:)` (Optimizers/Optimizer.swift)
/// against `torch.nn.utils.clip_grad_norm_` / `clip_grad_value_`, and inside optimizers.
@Suite struct ClippingTests {
    static func parameters(scale: Float) -> [Tensor] {
        [[3, 4], [5], [2, 2, 2]].enumerated().map { i, shape in
            let p = Tensor.zeros(shape).requiringGrad()
            p.grad = TestSupport.randn(shape, seed: 131 + UInt64(i), scale: scale)
            return p
        }
    }

    @Test(arguments: [Float(0.5), 2, 100])
    func byGlobalNormMatchesTorch(maxNorm: Float) throws {
        let params = Self.parameters(scale: 1)
        let grads = params.map { $0.grad!.copy() }
        let total = clipGradients(params, maxNorm: maxNorm)
        let expected = try NumPyOracle.torch.run("clip_grad_norm", grads, attrs: ["max_norm": .float(maxNorm)])
        #expect(abs(total - expected.last!.item()) <= 1e-5 * expected.last!.item(), "norm \(total) vs \(expected.last!.item())")
        for (p, e) in zip(params, expected) {
            #expect(TestSupport.maxRelativeError(p.grad!.scalars, e.scalars) <= 1e-5, "maxNorm \(maxNorm)")
        }
        let clippedNorm = params.reduce(Float(0)) { $0 + $1.grad!.square().sum().item() }.squareRoot()
        #expect(clippedNorm <= maxNorm * (1 + 1e-5))
    }

    @Test(arguments: [Float(0.1), 0.7, 10])
    func byValueMatchesTorch(value: Float) throws {
        let params = Self.parameters(scale: 1)
        let grads = params.map { $0.grad!.copy() }
        clipGradients(params, value: value)
        let expected = try NumPyOracle.torch.run("clip_grad_value", grads, attrs: ["value": .float(value)])
        for (p, e) in zip(params, expected) {
            #expect(p.grad!.scalars == e.scalars, "value \(value)")
            #expect(p.grad!.scalars.allSatisfy { abs($0) <= value })
        }
    }

    @Test func parametersWithoutGradientAreSkipped() {
        let params = Self.parameters(scale: 3)
        let idle = Tensor.ones([4]).requiringGrad()
        let total = clipGradients(params + [idle], maxNorm: 1)
        #expect(idle.grad == nil)
        #expect(total > 1)
        clipGradients(params + [idle], value: 0.1)
        #expect(idle.grad == nil)
    }

    @Test func clippingDoesNotRecordAGraph() {
        let params = Self.parameters(scale: 3)
        clipGradients(params, maxNorm: 1)
        #expect(params.allSatisfy { $0.grad!.isLeaf && !$0.grad!.requiresGrad })
    }
}
