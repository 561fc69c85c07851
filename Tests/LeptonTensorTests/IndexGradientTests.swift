import Testing
import LeptonTensor
import LeptonTestSupport

/// Gradient checks of indexing by `int32` tensors (`Ops/Tensor+Index.swift`): index-select,
/// gather, scatter-add and embedding, with repeated indices (whose gradients add up). The
/// index tensors are passed to the checker but not checked.
@Suite struct IndexGradientTests {
    @Test(arguments: TestSupport.backendNames)
    func indexSelect(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([4, 3, 2], seed: 1)
            let cases: [(Int, [Int])] = [(0, [2, 0, 2, 3]), (1, [1]), (2, [1, 1, 0]), (-1, [0, 1]), (0, [3, 2, 1, 0, 0, 1])]
            for (axis, indices) in cases {
                let index = Tensor(indices: indices)
                let result = GradientChecker.check([x, index]) { $0[0].indexSelect(axis: axis, $0[1]) }
                #expect(result.passed, "indexSelect axis \(axis) \(indices): \(result)")
                #expect(result.checkedElements == x.count)
            }
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func gather(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([3, 4, 2], seed: 2)
            var rng = RandomGenerator(seed: 3)
            for (axis, indexShape) in [(0, [5, 4, 2]), (1, [3, 6, 2]), (2, [3, 4, 3]), (-1, [3, 4, 1]), (1, [3, 1, 2])] {
                let resolved = axis < 0 ? axis + 3 : axis
                let index = Tensor.randint(indexShape, high: x.shape[resolved], generator: &rng)
                let result = GradientChecker.check([x, index]) { $0[0].gather(axis: axis, $0[1]) }
                #expect(result.passed, "gather axis \(axis) index \(indexShape): \(result)")
            }
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func scatterAdd(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([3, 4], seed: 4)
            var rng = RandomGenerator(seed: 5)
            for (axis, sourceShape) in [(0, [5, 4]), (1, [3, 6]), (1, [3, 2]), (-1, [3, 1])] {
                let resolved = axis < 0 ? axis + 2 : axis
                let index = Tensor.randint(sourceShape, high: x.shape[resolved], generator: &rng)
                let source = TestSupport.randn(sourceShape, seed: UInt64(10 + sourceShape[1]))
                let both = GradientChecker.check([x, index, source]) { $0[0].scatterAdd(axis: axis, $0[1], $0[2]) }
                #expect(both.passed, "scatterAdd axis \(axis) source \(sourceShape): \(both)")
                let onlySource = GradientChecker.check([x, index, source], checking: [2]) {
                    $0[0].scatterAdd(axis: axis, $0[1], $0[2]).square()
                }
                #expect(onlySource.passed, "scatterAdd wrt source only: \(onlySource)")
                let onlySelf = GradientChecker.check([x, index, source], checking: [0]) {
                    $0[0].scatterAdd(axis: axis, $0[1], $0[2]).square()
                }
                #expect(onlySelf.passed, "scatterAdd wrt self only: \(onlySelf)")
            }
        }
    }

    @Test(arguments: TestSupport.backendNames)
    func embedding(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let weight = TestSupport.randn([5, 3], seed: 6)
            for indices in [Tensor(indices: [0, 4, 4, 2]), Tensor(indices: [1, 3, 1, 0, 2, 1], shape: [2, 3]),
                            Tensor(indices: [2], shape: [1, 1])] {
                let result = GradientChecker.check([weight, indices]) { Tensor.embedding($0[0], $0[1]) }
                #expect(result.passed, "embedding \(indices.shape): \(result)")
            }
        }
    }

    /// One-hot encodings are constants: used as weights, they route the gradient.
    @Test(arguments: TestSupport.backendNames)
    func oneHotAsWeights(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let logits = TestSupport.randn([4, 3], seed: 7)
            let labels = Tensor(indices: [2, 0, 1, 2])
            let result = GradientChecker.check([logits, labels]) {
                ($0[0].logSoftmax() * Tensor.oneHot($0[1], classes: 3)).sum(axis: 1)
            }
            #expect(result.passed, "one-hot selection: \(result)")
        }
    }
    /// Enough indices for the CPU backend to split index-select over threads.
    @Test(arguments: TestSupport.backendNames)
    func manyIndices(backend: String) {
        Device.with(TestSupport.backend(named: backend)) {
            let x = TestSupport.randn([6], seed: 8)
            var rng = RandomGenerator(seed: 9)
            let index = Tensor.randint([70_000], high: 6, generator: &rng)
            let result = GradientChecker.check([x, index]) { $0[0].indexSelect(axis: 0, $0[1]) }
            #expect(result.passed, "indexSelect of 70000 indices: \(result)")
        }
    }
}
