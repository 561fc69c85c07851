import LeptonEmbed
import Testing

@Suite struct ROCCurveTests {
    @Test func perfectSeparationHasAreaOneAndFullAcceptAtZeroFalseAccepts() throws {
        let roc = try ROCCurve(genuine: [0.9, 0.8, 0.95], impostor: [0.1, 0.3, 0.2, 0.4])
        #expect(roc.auc == 1)
        #expect(roc.trueAcceptRate(atFalseAcceptRate: 0) == 1)
        #expect(roc.operatingPoint(falseAcceptRate: 0).threshold == 0.8)
        #expect(roc.points.first?.trueAcceptRate == 0 && roc.points.last?.falseAcceptRate == 1 && roc.points.last?.trueAcceptRate == 1)
    }

    /// AUC equals the Mann–Whitney statistic: P(genuine > impostor) + ½ P(tie), counted by hand.
    @Test func areaIsTheProbabilityAGenuinePairOutscoresAnImpostor() throws {
        let genuine = [0.2, 0.5, 0.5, 0.9, 0.7], impostor = [0.5, 0.1, 0.6, 0.3]
        var wins = 0.0
        for g in genuine { for i in impostor { wins += g > i ? 1 : g == i ? 0.5 : 0 } }
        let roc = try ROCCurve(genuine: genuine, impostor: impostor)
        #expect(abs(roc.auc - wins / 20) < 1e-12)
        // At FAR ≤ 1/4 the threshold is 0.6: it accepts the impostor 0.6 and genuine 0.9, 0.7.
        let point = roc.operatingPoint(falseAcceptRate: 0.25)
        #expect(point.threshold == 0.6 && point.falseAcceptRate == 0.25 && point.trueAcceptRate == 0.4)
        #expect(roc.trueAcceptRate(atFalseAcceptRate: 0.01) == 0.4)
    }

    @Test func emptyOrNonFiniteScoresAreErrors() {
        #expect(throws: EmbedError.self) { try ROCCurve(genuine: [], impostor: [0.1]) }
        #expect(throws: EmbedError.self) { try ROCCurve(genuine: [.nan], impostor: [0.1]) }
    }
}
