import LeptonNN
import LeptonTensor
import LeptonTestSupport
import Testing

/// Triplet mining and pairwise contrastive loss, against hand-computed values on points on a line.
@Suite struct MinedPairLossesTests {
    /// Five 1-D embeddings: identity 0 at 0 and 1, identity 1 at 1.5, 3 and 4.
    static let points = Tensor([0, 1, 1.5, 3, 4], shape: [5, 1])
    static let labels = Tensor(int32: [0, 0, 1, 1, 1], shape: [5])

    @Test func distancesArePairwiseEuclidean() {
        let d = pairwiseDistances(Tensor([0, 0, 3, 4], shape: [2, 2])).scalars
        #expect(abs(d[1] - 5) < 1e-5 && abs(d[2] - 5) < 1e-5 && d[0] < 1e-5)
    }

    @Test func batchHardTakesTheFarthestPositiveAndNearestNegative() {
        // Anchors: 0 → p 1 (d 1), n 1.5 (1.5): 0.2 + 1 − 1.5 < 0 → 0
        // 1 → p 0 (1), n 1.5 (0.5): 0.7;  1.5 → p 4 (2.5), n 1 (0.5): 2.2
        // 3 → p 1.5 (1.5), n 1 (2): 0;    4 → p 1.5 (2.5), n 1 (3): 0
        let loss = tripletLoss(Self.points, Self.labels, margin: 0.2, mining: .batchHard).item()
        #expect(abs(loss - (0.7 + 2.2) / 5) < 1e-4)
    }

    @Test func semiHardTakesTheNearestNegativeBeyondThePositive() {
        // (a, p): (0,1): negatives at 1.5, 3, 4 beyond 1 → 1.5: 1 − 1.5 + .2 < 0 → 0
        // (1,0): d(a,p) 1; negatives 0.5, 2, 3; beyond 1 → 2: 1 − 2 + .2 < 0 → 0
        // (1.5,3): d 1.5; negatives 1.5, 0.5 → none beyond → farthest 1.5: 1.5 − 1.5 + .2 = 0.2
        // (1.5,4): d 2.5; none beyond → 1.5: 2.5 − 1.5 + .2 = 1.2
        // (3,1.5): d 1.5; negatives 3, 2 → 2: 1.5 − 2 + .2 < 0 → 0;  (3,4): d 1 → 2: 0
        // (4,1.5): d 2.5; negatives 4, 3 → 3: 2.5 − 3 + .2 < 0 → 0;  (4,3): d 1 → 3: 0
        let loss = tripletLoss(Self.points, Self.labels, margin: 0.2, mining: .semiHard).item()
        #expect(abs(loss - (0.2 + 1.2) / 8) < 1e-4)
    }

    @Test func aBatchWithoutTripletsGivesZero() {
        let loss = tripletLoss(Tensor([0, 1], shape: [2, 1]), Tensor(int32: [0, 1], shape: [2]))
        #expect(loss.item() == 0)
    }

    @Test(arguments: TripletMining.allCases)
    func tripletGradientsMatchFiniteDifferences(_ mining: TripletMining) {
        let embeddings = GradientChecker.input([8, 3], seed: 23, low: -1, high: 1)
        let labels = Tensor(int32: [0, 1, 2, 0, 1, 2, 0, 1], shape: [8])
        let result = GradientChecker.check([embeddings], epsilon: 1e-3) { tripletLoss($0[0], labels, margin: 0.5, mining: mining) }
        #expect(result.passed, "\(result)")
    }

    @Test func contrastivePullsPairsOfOneIdentityAndPushesCloseOthers() {
        // Pairs of one identity: (0,1) d² 1; (1.5,3) 2.25; (1.5,4) 6.25; (3,4) 1.
        // Others with margin 1: only (1,1.5) at 0.5 is closer: (1 − 0.5)² = 0.25.
        let loss = pairwiseContrastiveLoss(Self.points, Self.labels, margin: 1).item()
        #expect(abs(loss - (1 + 2.25 + 6.25 + 1 + 0.25) / 10) < 1e-4)
        let embeddings = GradientChecker.input([6, 2], seed: 5, low: -1, high: 1)
        let labels = Tensor(int32: [0, 1, 0, 1, 2, 2], shape: [6])
        let result = GradientChecker.check([embeddings], epsilon: 1e-3) { pairwiseContrastiveLoss($0[0], labels, margin: 2) }
        #expect(result.passed, "\(result)")
    }

    @Test func aPositiveMarginStopsPullingPairsAlreadyThatClose() {
        // Pairs of one identity, positive margin 1.2: (0,1) d 1 → 0; (1.5,3) 1.5 → 0.3² = 0.09;
        // (1.5,4) 2.5 → 1.3² = 1.69; (3,4) 1 → 0. Others as without: 0.25.
        let loss = pairwiseContrastiveLoss(Self.points, Self.labels, margin: 1, positiveMargin: 1.2).item()
        #expect(abs(loss - (0.09 + 1.69 + 0.25) / 10) < 1e-4)
        let embeddings = GradientChecker.input([6, 2], seed: 5, low: -1, high: 1)
        let labels = Tensor(int32: [0, 1, 0, 1, 2, 2], shape: [6])
        let result = GradientChecker.check([embeddings], epsilon: 1e-3) {
            pairwiseContrastiveLoss($0[0], labels, margin: 2, positiveMargin: 0.3)
        }
        #expect(result.passed, "\(result)")
    }
}
