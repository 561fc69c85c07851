import Foundation
import Testing
import LeptonTensor
import LeptonTestSupport

/// Behaviour of the autodiff engine (`Autodiff/*.swift`): accumulation, shared tensors,
/// retained and freed graphs, no-grad scopes, detaching, explicit output gradients, deep
/// graphs, and exact values of simple derivatives.
@Suite struct AutodiffTests {
    @Test(arguments: TestSupport.backendNames)
    func knownDerivatives(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let values: [Float] = [-3, -0.5, 0.25, 1, 2.5]
            let x = Tensor(values, shape: [5]).requiringGrad()
            (x * x).sum().backward()
            #expect(x.grad!.scalars == values.map { 2 * $0 })   // d(x²)/dx = 2x, exactly
            x.zeroGrad()
            x.square().sum().backward()
            #expect(x.grad!.scalars == values.map { 2 * $0 })
            x.zeroGrad()
            (x * 3 + 1).sum().backward()
            #expect(x.grad!.scalars == [3, 3, 3, 3, 3])
            x.zeroGrad()
            x.pow(3).sum().backward()
            #expect(TestSupport.maxRelativeError(x.grad!.scalars, values.map { 3 * $0 * $0 }) < 1e-6)
            x.zeroGrad()
            x.exp().sum().backward()
            #expect(TestSupport.maxRelativeError(x.grad!.scalars, values.map { Foundation.exp($0) }) < 1e-6)
            x.zeroGrad()
            x.mean().backward()
            #expect(x.grad!.scalars == [Float](repeating: 0.2, count: 5))
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func productRule(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let a = Tensor([2, -1], shape: [2]).requiringGrad()
            let b = Tensor([5, 4], shape: [2]).requiringGrad()
            (a * b + a / b).sum().backward()
            let expectedA: [Float] = [5 + 1.0 / 5, 4 + 1.0 / 4]
            let expectedB: [Float] = [2 - 2.0 / 25, -1 + 1.0 / 16]
            #expect(TestSupport.maxRelativeError(a.grad!.scalars, expectedA) < 1e-6)
            #expect(TestSupport.maxRelativeError(b.grad!.scalars, expectedB) < 1e-6)
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func gradientsAccumulateAcrossBackwardCalls(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = Tensor([1, 2, 3], shape: [3]).requiringGrad()
            (x * x).sum().backward()
            #expect(x.grad!.scalars == [2, 4, 6])
            (x * 10).sum().backward()
            #expect(x.grad!.scalars == [12, 14, 16])
            x.zeroGrad()
            #expect(x.grad == nil)
            (x * 10).sum().backward()
            #expect(x.grad!.scalars == [10, 10, 10])
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func tensorUsedTwiceInOneGraph(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = Tensor([1, 2, 3], shape: [3]).requiringGrad()
            let y = x.exp()
            // y feeds two branches, and x appears directly as well.
            let z = (y * 2 + y.square() + x).sum()
            z.backward()
            let expected = [Float(1), 2, 3].map { v -> Float in
                let e = Foundation.exp(v)
                return 2 * e + 2 * e * e + 1
            }
            #expect(TestSupport.maxRelativeError(x.grad!.scalars, expected) < 1e-5)

            // Diamond: two paths from w to the output.
            let w = Tensor([0.5, -1.5], shape: [2]).requiringGrad()
            let h = w * 3
            (h * h + h).sum().backward()   // d/dw = 3·(2h + 1) = 18w + 3
            #expect(w.grad!.scalars == [12, -24])
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func retainGraphAllowsSecondBackward(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = Tensor([1, -2], shape: [2]).requiringGrad()
            let loss = (x * x * x).sum()
            loss.backward(retainGraph: true)
            #expect(x.grad!.scalars == [3, 12])
            loss.backward(retainGraph: true)
            #expect(x.grad!.scalars == [6, 24])
            loss.backward()
            #expect(x.grad!.scalars == [9, 36])
        }
    }

    @Test func secondBackwardWithoutRetainGraphStops() async {
        await #expect(processExitsWith: .failure) {
            let x = Tensor([1, 2], shape: [2]).requiringGrad()
            let loss = (x * x).sum()
            loss.backward()
            loss.backward()
        }
    }

    @Test func backwardOfTensorWithoutGradStops() async {
        await #expect(processExitsWith: .failure) {
            Tensor([1, 2], shape: [2]).sum().backward()
        }
    }

    @Test func backwardOfNonScalarNeedsGradient() async {
        await #expect(processExitsWith: .failure) {
            let x = Tensor([1, 2], shape: [2]).requiringGrad()
            (x * 2).backward()
        }
    }

    @Test func backwardGradientShapeMustMatch() async {
        await #expect(processExitsWith: .failure) {
            let x = Tensor([1, 2], shape: [2]).requiringGrad()
            (x * 2).backward(Tensor([1, 2, 3], shape: [3]))
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func withoutGradRecordsNothing(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = Tensor([1, 2], shape: [2]).requiringGrad()
            let y = Tensor.withoutGrad { (x * x).exp().sum() }
            #expect(!y.requiresGrad)
            #expect(y.isLeaf)
            // Recording resumes after the scope.
            let z = (x * x).sum()
            #expect(z.requiresGrad)
            #expect(!z.isLeaf)
            // Nested scopes, and a value returned through the scope.
            let n = Tensor.withoutGrad { Tensor.withoutGrad { x + 1 } * 2 }
            #expect(!n.requiresGrad)
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func detachCutsTheGraph(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = Tensor([1, 2], shape: [2]).requiringGrad()
            let d = x.detach()
            #expect(!d.requiresGrad)
            #expect(d.scalars == x.scalars)
            // Only the attached branch contributes: d(x · stop(x))/dx = stop(x).
            (x * (x * 5).detach()).sum().backward()
            #expect(x.grad!.scalars == [5, 10])
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func zeroGradClears(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = Tensor([1, 2], shape: [2]).requiringGrad()
            (x * 4).sum().backward()
            #expect(x.grad != nil)
            x.zeroGrad()
            #expect(x.grad == nil)
            (x * 4).sum().backward()
            #expect(x.grad!.scalars == [4, 4])
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func explicitOutputGradient(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]).requiringGrad()
            let y = x * x
            y.backward(Tensor([1, 0, -1, 0.5, 2, 0], shape: [2, 3]))
            #expect(x.grad!.scalars == [2, 0, -6, 4, 20, 0])

            // One-element tensor: the default gradient is 1; an explicit one scales it.
            let w = Tensor([3], shape: [1]).requiringGrad()
            (w * w).backward(Tensor([0.5], shape: [1]))
            #expect(w.grad!.scalars == [3])
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func leafStatusAndOnlyLeavesGetGradients(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = Tensor([1, 2], shape: [2]).requiringGrad()
            let c = Tensor([3, 4], shape: [2])   // a constant: no gradient
            let h = x * c
            #expect(x.isLeaf && !h.isLeaf)
            (h + c).sum().backward()
            #expect(x.grad!.scalars == [3, 4])
            #expect(c.grad == nil)
            #expect(h.grad == nil)
        }
    }

    /// Backpropagating from an intermediate tensor reaches the leaves below it.
    @Test(arguments: TestSupport.backendNames)
    func backwardFromIntermediate(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = Tensor([1, 2], shape: [2]).requiringGrad()
            let h = (x * 3).sum()
            let out = h * h
            h.backward()
            #expect(x.grad!.scalars == [3, 3])
            _ = out
        }
    }

    /// The topological sort and the backward pass are iterative: a 10,000-op chain does not
    /// overflow the stack.
    @Test(arguments: TestSupport.backendNames)
    func deepChain(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = Tensor([1, 2], shape: [2]).requiringGrad()
            var y = x
            for _ in 0..<10_000 { y = y + 1 }
            y.sum().backward()
            #expect(x.grad!.scalars == [1, 1])
            #expect(y.scalars == [10_001, 10_002])
        }
    }

    /// Freeing a deep graph that was never backpropagated (or was kept with `retainGraph`)
    /// must not overflow the stack either.
    @Test(arguments: TestSupport.backendNames)
    func deepChainReleasedWithoutBackward(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = Tensor([1, 2], shape: [2]).requiringGrad()
            do {
                var y = x
                for _ in 0..<10_000 { y = y * 1 }
                #expect(y.requiresGrad)
            }
            do {
                var y = x
                for _ in 0..<10_000 { y = y - 0 }
                y.sum().backward(retainGraph: true)
                #expect(x.grad!.scalars == [1, 1])
            }
        }
    }

    /// The gradient checker itself: it catches a wrong gradient, and it restores the inputs.
    @Test(arguments: TestSupport.backendNames)
    func checkerDetectsWrongGradients(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([3, 4], seed: 1)
            let before = x.scalars
            // detach() hides half the dependence on x from backward.
            let wrong = GradientChecker.check([x]) { $0[0] * $0[0].detach() }
            #expect(!wrong.passed)
            #expect(wrong.failureCount > 0)
            #expect(wrong.worst?.input == 0)
            #expect("\(wrong)".contains("FAILED"))
            #expect(x.scalars == before)
            #expect(!x.requiresGrad && x.grad == nil)

            let right = GradientChecker.check([x]) { $0[0] * $0[0] }
            #expect(right.passed, "\(right)")
            #expect(right.checkedElements == 12)

            // Parameters keep their gradient state; a subset of elements can be checked.
            let w = TestSupport.randn([5, 6], seed: 2).requiringGrad()
            w.grad = Tensor.ones([5, 6])
            let sampled = GradientChecker.check(parameters: [w], maxElementsPerInput: 7) { w.tanh() }
            #expect(sampled.passed, "\(sampled)")
            #expect(sampled.checkedElements == 7)
            #expect(w.requiresGrad && w.grad!.scalars == [Float](repeating: 1, count: 30))
        }
    }

    /// `onLeafGradient` sees each leaf once, with its final gradient, before the sweep ends:
    /// data-parallel training starts all-reducing there, overlapping the rest of backward.
    @Test func leafGradientsAreReportedWhenFinal() {
        let a = Tensor([2, -1], shape: [2]).requiringGrad()
        let b = Tensor([5, 4], shape: [2]).requiringGrad()
        let c = Tensor([0.5, 3], shape: [2]).requiringGrad()
        var seen: [(Tensor, [Float])] = []
        ((a * b).exp() * a + c * 2).sum().backward { seen.append(($0, $0.grad!.scalars)) }
        #expect(seen.count == 3)
        for (leaf, gradient) in seen { #expect(leaf.grad!.scalars == gradient) }
        #expect(Set(seen.map { ObjectIdentifier($0.0) }) == Set([a, b, c].map(ObjectIdentifier.init)))
    }
}
