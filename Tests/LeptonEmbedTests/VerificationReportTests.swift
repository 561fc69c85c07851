import LeptonEmbed
import LeptonTensor
import Testing

@Suite struct VerificationReportTests {
    @Test func pairsOfOneIdentityAreGenuineAndTheSummaryNamesEveryTarget() throws {
        // Three identities, two samples each, each pair close together.
        let e = Tensor([1, 0, 0.95, 0.05, 0, 1, 0.1, 0.9, -1, 0, -0.9, -0.2], shape: [6, 2])
        let report = try VerificationReport(embeddings: e, labels: [0, 0, 1, 1, 2, 2], falseAcceptRates: [0.01, 0.5])
        #expect(report.roc.genuineCount == 3 && report.roc.impostorCount == 12)
        #expect(report.roc.auc == 1 && report.identities == 3)
        #expect(report.operatingPoints[0].trueAcceptRate == 1 && report.operatingPoints[0].falseAcceptRate == 0)
        #expect(report.summary.hasPrefix("ROC AUC 1.0000, TAR@FAR=1e-2 1.0000, threshold "))
        #expect(report.summary.contains("TAR@FAR=0.5 "))
    }

    @Test func oneIdentityHasNoImpostorsAndIsAnError() {
        #expect(throws: EmbedError.self) { try VerificationReport(embeddings: Tensor([1, 0, 0, 1], shape: [2, 2]), labels: [3, 3]) }
        #expect(throws: EmbedError.self) { try VerificationReport(embeddings: Tensor([1, 0, 0, 1], shape: [2, 2]), labels: [3]) }
    }

    @Test func aCurveOfTooFewImpostorPairsIsAnErrorNotAnEmptyChart() throws {
        // Two impostor pairs of one score: above the floor of one pair (FAR 0.5) only FAR = 1 remains.
        let report = try VerificationReport(embeddings: Tensor([1, 0, 1, 0, 0, 1], shape: [3, 2]), labels: [0, 0, 1])
        #expect(report.roc.impostorCount == 2)
        #expect { try report.rocChart(title: "ROC") } throws: { "\($0)".contains("ROC: too few impostor pairs to draw the curve above a false accept rate of 0.5") }
    }
}
