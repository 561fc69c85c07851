import Testing
import LeptonCompress
import LeptonNN
import LeptonTensor
import LeptonTestSupport

/// `FilterPruning` (Pruning/FilterPruning.swift): the pruned model is the original with the weakest
/// filters zeroed (same outputs), its layers really shrink, and bad fractions are refused.
@Suite struct FilterPruningTests {
    @Test func removesFiltersAndTheInputsThatReadThem() throws {
        GlobalRandom.seed(7)
        let model = Sequential([Conv2D(filters: 8, kernelSize: [3, 3], activation: .relu), MaxPooling2D(),
                                Conv2D(filters: 6, kernelSize: [3, 3], padding: .same, activation: .relu),
                                Flatten(), Dense(units: 5, activation: .softmax)])
        model.build(inputShape: [10, 10, 2])
        model.eval()
        // Filter norms set far apart: GlobalRandom is shared with tests running in parallel, so
        // random weights alone could put two filters' norms within rounding and make the choice
        // of the kept ones depend on summation order.
        for (index, conv) in [model.layers[0] as! Conv2D, model.layers[2] as! Conv2D].enumerated() {
            let size = conv.kernel!.count / conv.filters
            var w = TestSupport.randn(conv.kernel!.shape, seed: UInt64(20 + index)).scalars
            for f in 0..<conv.filters {
                let target = Float((f * 5) % conv.filters + 1)   // a permutation of 1...filters
                let norm = (0..<size).reduce(Float(0)) { $0 + abs(w[f * size + $1]) }
                for k in 0..<size { w[f * size + k] *= target / norm }
            }
            conv.kernel!.assign(Tensor(w, shape: conv.kernel!.shape))
        }
        let (smaller, pruned) = try FilterPruning(fraction: 0.5).prune(model)
        #expect(pruned.map(\.before) == [8, 6] && pruned.map(\.after) == [4, 3])
        #expect((smaller.layers[0] as? Conv2D)?.kernel?.shape == [4, 2, 3, 3])
        #expect((smaller.layers[2] as? Conv2D)?.kernel?.shape == [3, 4, 3, 3])
        #expect((smaller.layers[4] as? Dense)?.kernel?.shape == [4 * 4 * 3, 5])
        #expect(smaller.parameterCount < model.parameterCount / 2)
        // The original with the dropped filters' weights and biases zeroed computes the same.
        for (conv, keep) in [(model.layers[0] as! Conv2D, 4), (model.layers[2] as! Conv2D, 3)] {
            let kept = Set(Self.strongest(conv, keep: keep))
            let size = conv.kernel!.count / conv.filters
            var w = conv.kernel!.scalars, b = conv.bias!.scalars
            for f in 0..<conv.filters where !kept.contains(f) {
                for k in 0..<size { w[f * size + k] = 0 }
                b[f] = 0
            }
            conv.kernel!.assign(Tensor(w, shape: conv.kernel!.shape))
            conv.bias!.assign(Tensor(b, shape: [conv.filters]))
        }
        let x = TestSupport.randn([3, 10, 10, 2], seed: 8)
        let worst = TestSupport.maxRelativeError(smaller(x).scalars, model(x).scalars, floor: 1e-3)
        #expect(worst < 1e-4, "worst relative error \(worst)")
    }

    /// The `keep` filters of `conv` with the largest L1 norms (the ones pruning must keep).
    static func strongest(_ conv: Conv2D, keep: Int) -> [Int] {
        let size = conv.kernel!.count / conv.filters, w = conv.kernel!.scalars
        let norms = (0..<conv.filters).map { f in (0..<size).reduce(Float(0)) { $0 + abs(w[f * size + $1]) } }
        return Array((0..<conv.filters).sorted { norms[$0] > norms[$1] }.prefix(keep))
    }

    @Test func refusesFractionsOutsideTheUnitInterval() {
        for fraction in [0, 1, -0.5, 2] { #expect(throws: CompressError.self) { try FilterPruning(fraction: fraction) } }
    }
}
