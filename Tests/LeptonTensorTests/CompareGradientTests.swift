import Testing
import LeptonTensor
import LeptonTestSupport

/// Gradient checks of selection (`Ops/Tensor+Compare.swift`: `where`, masks from
/// comparisons) and of element-wise `maximum` / `minimum`. Operands of maximum/minimum are
/// kept apart, so that no step of the finite differences crosses a tie.
@Suite struct CompareGradientTests {
    @Test(arguments: TestSupport.backendNames)
    func whereSelects(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let cases: [([Int], [Int], [Int])] = [
                ([2, 3], [2, 3], [2, 3]), ([2, 3], [3], [2, 1]), ([3, 1], [1, 4], []), ([4], [2, 4], [2, 1]),
                ([], [2, 2], [2, 2]), ([2, 1, 3], [4, 1], [3]),
            ]
            for (i, (sc, sa, sb)) in cases.enumerated() {
                let condition = TestSupport.randn(sc, seed: UInt64(i)).greater(0)
                let a = TestSupport.randn(sa, seed: UInt64(10 + i))
                let b = TestSupport.randn(sb, seed: UInt64(20 + i))
                let result = GradientChecker.check([condition, a, b], checking: [1, 2]) { Tensor.where($0[0], $0[1], $0[2]) }
                #expect(result.passed, "where \(sc), \(sa), \(sb): \(result)")
                let onlyA = GradientChecker.check([condition, a, b], checking: [1]) { Tensor.where($0[0], $0[1], $0[2]) }
                #expect(onlyA.passed, "where wrt a only: \(onlyA)")
                let onlyB = GradientChecker.check([condition, a, b], checking: [2]) { Tensor.where($0[0], $0[1], $0[2]) }
                #expect(onlyB.passed, "where wrt b only: \(onlyB)")
            }
        }
    }

    /// Comparison masks carry no gradient, but multiplying by one routes it.
    @Test(arguments: TestSupport.backendNames)
    func masks(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            // x stays away from every threshold it is compared with.
            let y = Tensor([0.35, -0.55, 0.75, -0.15], shape: [4])
            let x = GradientChecker.input([3, 4], seed: 1, awayFrom: [0, 0.3] + y.scalars, margin: 0.05)
            let cases: [(String, (Tensor, Tensor) -> Tensor)] = [
                ("x · (x > 0)", { x, _ in x * x.greater(0) }),
                ("x · (x < 0.3)", { x, _ in x * x.less(0.3) }),
                ("x · (x ≥ y)", { x, y in x * x.greaterEqual(y) }),
                ("x · (x ≤ y)", { x, y in x * x.lessEqual(y) }),
                ("x · (x == x)", { x, _ in x * x.equal(x) }),
                ("x · (x != y)", { x, y in x * x.notEqual(y) }),
            ]
            for (name, f) in cases {
                let result = GradientChecker.check([x, y]) { f($0[0], $0[1]) }
                #expect(result.passed, "\(name): \(result)")
            }
            #expect(!x.requiringGrad().greater(y).requiresGrad)
            x.requiringGrad(false)
        }
    }

    @Test(arguments: TestSupport.backendNames, [true, false])
    func maximumMinimum(backend: String, maximum: Bool) {
        Device.with(TestSupport.backend(named: backend)) {
            let shapes: [([Int], [Int])] = [([2, 3], [2, 3]), ([2, 3], [3]), ([3, 1], [1, 4]), ([], [5]), ([2, 1, 2], [3, 1])]
            for (i, (sa, sb)) in shapes.enumerated() {
                // Distinct values across both operands: no ties.
                let all = GradientChecker.distinct([Shape.count(sa) + Shape.count(sb)], seed: UInt64(i)).scalars
                let a = Tensor(Array(all[..<Shape.count(sa)]), shape: sa)
                let b = Tensor(Array(all[Shape.count(sa)...]), shape: sb)
                let result = GradientChecker.check([a, b]) { maximum ? $0[0].maximum($0[1]) : $0[0].minimum($0[1]) }
                #expect(result.passed, "\(maximum ? "maximum" : "minimum") \(sa), \(sb): \(result)")
            }
        }
    }

    /// At ties, maximum and minimum split the gradient evenly.
    @Test(arguments: TestSupport.backendNames)
    func tiesSplitGradient(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let a = Tensor([1, 2, 3], shape: [3]).requiringGrad()
            let b = Tensor([1, 5, 0], shape: [3]).requiringGrad()
            a.maximum(b).sum().backward()
            #expect(a.grad!.scalars == [0.5, 0, 1])
            #expect(b.grad!.scalars == [0.5, 1, 0])
            a.zeroGrad(); b.zeroGrad()
            a.minimum(b).sum().backward()
            #expect(a.grad!.scalars == [0.5, 1, 0])
            #expect(b.grad!.scalars == [0.5, 0, 1])
        }
    }
}
