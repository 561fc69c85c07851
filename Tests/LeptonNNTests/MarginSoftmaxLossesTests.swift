import Foundation
import LeptonNN
import LeptonTensor
import LeptonTestSupport
import Testing

@Suite struct MarginSoftmaxLossesTests {
    static let cosines = Tensor([0.8, 0.1, -0.3, 0.2, 0.6, -0.9], shape: [2, 3])
    static let labels = Tensor(int32: [0, 1], shape: [2])

    /// The loss computed by hand: cross-entropy of `s·cos` with the true class's cosine replaced.
    static func expected(_ target: (Float) -> Float, scale: Float) -> Float {
        let c = cosines.scalars, l = [0, 1]
        var total: Float = 0
        for r in 0..<2 {
            let logits = (0..<3).map { k in scale * (k == l[r] ? target(c[r * 3 + k]) : c[r * 3 + k]) }
            let m = logits.max()!
            total += -(logits[l[r]] - m - log(logits.map { exp($0 - m) }.reduce(0, +)))
        }
        return total / 2
    }

    @Test func cosFaceSubtractsTheMarginFromTheTrueCosine() {
        let loss = marginSoftmaxLoss(Self.cosines, Self.labels, scale: 10, margin: 0.35, kind: .cosFace).item()
        #expect(abs(loss - Self.expected({ $0 - 0.35 }, scale: 10)) < 1e-4)
    }

    @Test func arcFaceAddsTheMarginToTheTrueAngle() {
        let loss = marginSoftmaxLoss(Self.cosines, Self.labels, scale: 10, margin: 0.5, kind: .arcFace).item()
        #expect(abs(loss - Self.expected({ cos(acos($0) + 0.5) }, scale: 10)) < 1e-4)
    }

    @Test func arcFacePastPiFallsBackToALinearPenalty() {
        // θ = acos(−0.95) ≈ 2.82 rad; θ + 0.5 passes π, so the target is cos θ − m·sin m.
        let cosines = Tensor([-0.95, 0.3], shape: [1, 2])
        let loss = marginSoftmaxLoss(cosines, Tensor(int32: [0], shape: [1]), scale: 4, margin: 0.5, kind: .arcFace).item()
        let target = 4 * (-0.95 - 0.5 * sin(Float(0.5))), other = 4 * Float(0.3)
        let m = max(target, other)
        #expect(abs(loss - (m - target + log(exp(target - m) + exp(other - m)))) < 1e-4)
    }

    @Test(arguments: MarginKind.allCases)
    func gradientsMatchFiniteDifferences(_ kind: MarginKind) {
        let cosines = GradientChecker.input([4, 5], seed: 9, low: -0.9, high: 0.9)
        let labels = Tensor(int32: [0, 3, 4, 1], shape: [4])
        let result = GradientChecker.check([cosines], epsilon: 1e-3) { marginSoftmaxLoss($0[0], labels, scale: 8, margin: 0.3, kind: kind) }
        #expect(result.passed, "\(result)")
    }
}
