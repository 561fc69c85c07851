import Foundation
import LeptonExplain
import Testing

@Suite struct IntegrationRuleTests {
    @Test func gaussLegendreMatchesNumPysLeggaussRescaledToTheUnitInterval() throws {
        let (alphas, weights) = try IntegrationRule.gaussLegendre.nodes(steps: 3)
        let r = (3.0 / 5).squareRoot()
        #expect(zip(alphas, [0.5 * (1 - r), 0.5, 0.5 * (1 + r)]).allSatisfy { abs($0 - $1) < 1e-14 }, "\(alphas)")
        #expect(zip(weights, [5.0 / 18, 8.0 / 18, 5.0 / 18]).allSatisfy { abs($0 - $1) < 1e-14 }, "\(weights)")
        for n in [1, 2, 7, 50, 64] {
            let (a, w) = try IntegrationRule.gaussLegendre.nodes(steps: n)
            #expect(abs(w.reduce(0, +) - 1) < 1e-12)
            // Exact for x^(2n−1): ∫₀¹ x^(2n−1) dx = 1 / 2n.
            let integral = zip(a, w).reduce(0.0) { $0 + $1.1 * pow($1.0, Double(2 * n - 1)) }
            #expect(abs(integral - 1 / Double(2 * n)) < 1e-10, "n = \(n): \(integral)")
            #expect(a == a.sorted() && a.allSatisfy { $0 > 0 && $0 < 1 })
        }
    }

    @Test func riemannTrapezoidHasCaptumsWeights() throws {
        let (alphas, weights) = try IntegrationRule.riemannTrapezoid.nodes(steps: 5)
        #expect(alphas == [0, 0.25, 0.5, 0.75, 1])
        #expect(weights == [0.1, 0.2, 0.2, 0.2, 0.1])
    }

    @Test func tooFewStepsIsAnError() {
        #expect(throws: ExplainError.self) { try IntegrationRule.gaussLegendre.nodes(steps: 0) }
        #expect(throws: ExplainError.self) { try IntegrationRule.riemannTrapezoid.nodes(steps: 1) }
    }
}

