import Testing
import LeptonTensor
import LeptonTestSupport

/// Gradient destinations (`Autodiff/Tensor+GradientDestination.swift`): backward puts a leaf's
/// gradient into memory chosen in advance — written there by the op's kernel, or copied or
/// added in — with the values it gives without one.
@Suite struct GradientDestinationTests {
    /// Leaves of the same values and shapes, requiring gradients.
    func leaves(_ shapes: [[Int]], seed: UInt64) -> [Tensor] {
        shapes.enumerated().map { TestSupport.randn($1, seed: seed + UInt64($0)).requiringGrad() }
    }

    /// Views of one buffer laid end to end, one per tensor (as a data-parallel bucket).
    func destinations(for tensors: [Tensor], filledWith value: Float = 0) -> [Tensor] {
        let total = tensors.map(\.count).reduce(0, +)
        let storage = Tensor.full([total], value).storage
        var offset = 0
        return tensors.map { t in
            defer { offset += t.count }
            return Tensor(viewing: storage, floatOffset: offset, shape: t.shape)
        }
    }

    /// Backward of `f` over fresh leaves, without and with destinations: the same gradients,
    /// and with destinations each gradient is its destination.
    func expectSameGradients(_ shapes: [[Int]], _ f: ([Tensor]) -> Tensor) {
        let plain = leaves(shapes, seed: 11), routed = leaves(shapes, seed: 11)
        let targets = destinations(for: routed)
        for (leaf, target) in zip(routed, targets) { leaf.writeGradients(into: target) }
        f(plain).backward()
        f(routed).backward()
        for (p, r) in zip(plain, routed) { #expect(r.grad!.scalars == p.grad!.scalars) }
        for (r, target) in zip(routed, targets) { #expect(r.grad!.storage.pointer == target.storage.pointer) }
    }

    @Test(arguments: TestSupport.backendNames)
    func kernelsWriteParameterGradientsIntoTheirDestinations(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([4, 3], seed: 1)
            expectSameGradients([[3, 5], [5]]) { x.dense($0[0], bias: $0[1]).tanh().sum() }
            expectSameGradients([[3, 5]]) { x.matmul($0[0]).square().sum() }
            let image = TestSupport.randn([2, 3, 5, 5], seed: 2)
            expectSameGradients([[4, 3, 3, 3], [4]]) { image.conv2d($0[0], bias: $0[1], padding: [1, 1]).square().sum() }
            let nhwc = TestSupport.randn([2, 5, 5, 3], seed: 3)
            expectSameGradients([[4, 3, 3, 3], [4]]) { nhwc.conv2d($0[0], bias: $0[1], channelsLast: true).square().sum() }
            expectSameGradients([[3, 2, 2, 2]]) { image.convTranspose2d($0[0], stride: [2, 2]).square().sum() }
            let rows = TestSupport.randn([6, 5], seed: 4)
            expectSameGradients([[5], [5]]) { (rows.layerNorm(gamma: $0[0], beta: $0[1]) * rows).sum() }
            // Ops without a kernel of their own for the gradient: copied in at the leaf.
            expectSameGradients([[7]]) { ($0[0] * $0[0]).exp().sum() }
        }
    }

    /// A parameter used twice: one use's kernel writes the destination, the other's gradient is
    /// added (the destination is not written twice).
    @Test func aParameterUsedTwiceGetsTheSumOfBothUses() {
        let a = TestSupport.randn([4, 3], seed: 5), b = TestSupport.randn([2, 3], seed: 6)
        expectSameGradients([[3, 2]]) { a.dense($0[0]).sum() + b.dense($0[0]).square().sum() }
        expectSameGradients([[3, 2]]) { a.matmul($0[0]).matmul($0[0].transposed()).sum() }
    }

    /// Without zeroGrad a second backward adds into the destination (as into any gradient);
    /// after zeroGrad the next backward overwrites it: nothing of the earlier step is left.
    @Test func gradientsAccumulateUntilZeroedThenStartAfresh() {
        let x = TestSupport.randn([4, 3], seed: 7)
        let w = TestSupport.randn([3, 2], seed: 8).requiringGrad()
        let target = destinations(for: [w], filledWith: 99)[0]
        let once = { x.dense(w).square().sum().backward() }
        once()
        let single = w.grad!.scalars
        w.writeGradients(into: target)
        w.zeroGrad()
        once()
        #expect(target.scalars == single && w.grad!.storage.pointer == target.storage.pointer)
        once()
        #expect(target.scalars == single.map { $0 + $0 } && w.grad!.storage.pointer == target.storage.pointer)
        w.zeroGrad()
        once()
        #expect(target.scalars == single)
        // A gradient held elsewhere (a copy) is added to and the sum lands in the destination.
        w.grad = Tensor(single, shape: w.shape)
        once()
        #expect(target.scalars == single.map { $0 + $0 } && w.grad!.storage.pointer == target.storage.pointer)
    }

    /// A parameter outside the graph keeps no gradient and its destination is not touched.
    @Test func anUnusedParameterKeepsNoGradient() {
        let used = TestSupport.randn([3], seed: 9).requiringGrad(), unused = TestSupport.randn([3], seed: 10).requiringGrad()
        let targets = destinations(for: [used, unused], filledWith: 7)
        used.writeGradients(into: targets[0])
        unused.writeGradients(into: targets[1])
        (used * 3).sum().backward()
        #expect(used.grad!.scalars == [3, 3, 3] && unused.grad == nil)
        #expect(targets[1].scalars == [7, 7, 7])
    }

    /// Without a destination backward makes new tensors again.
    @Test func removingTheDestinationRestoresNewTensors() {
        let w = TestSupport.randn([3, 2], seed: 12).requiringGrad()
        let target = destinations(for: [w])[0]
        w.writeGradients(into: target)
        #expect(w.gradientDestination === target)
        w.writeGradients(into: nil)
        TestSupport.randn([1, 3], seed: 13).dense(w).sum().backward()
        #expect(w.gradientDestination == nil && w.grad!.storage.pointer != target.storage.pointer)
        #expect(target.scalars == [Float](repeating: 0, count: 6))
    }
}
