import Testing
import LeptonCompress
import LeptonNN
import LeptonTensor
import LeptonTestSupport
import LeptonTrain

/// `MagnitudePruning` and `PruningSchedule` (Pruning/): the schedules' sparsities, kernels pruned
/// to the target during `fit` and kept pruned by later steps, per-layer against global scope, and
/// the errors for sparsities outside (0, 1).
@Suite struct MagnitudePruningTests {
    static func model() -> Sequential {
        let model = Sequential([Dense(units: 16, activation: .relu, inputDimensions: 8), Dense(units: 3, inputDimensions: 16)])
        return model
    }

    static func train(_ model: Sequential, callbacks: [Callback], epochs: Int = 2) throws {
        let x = TestSupport.randn([64, 8], seed: 1)
        let y = Tensor(int32: (0..<64).map { Int32($0 % 3) }, shape: [64])
        try model.compile(optimizer: "adam", loss: "sparse_categorical_crossentropy")
        _ = try model.fit(x: x, y: y, epochs: epochs, batchSize: 16, callbacks: callbacks, verbose: .silent)
    }

    @Test func schedules() {
        let constant = PruningSchedule.constant(sparsity: 0.5, beginStep: 2, frequency: 3)
        #expect((0..<9).map { constant.sparsity(atStep: $0) } == [nil, nil, 0.5, nil, nil, 0.5, nil, nil, 0.5])
        let polynomial = PruningSchedule.polynomial(initial: 0, final: 0.8, beginStep: 0, endStep: 4, frequency: 1)
        let values = (0..<6).map { polynomial.sparsity(atStep: $0) }
        #expect(values[0] == 0 && values[4] == 0.8 && values[5] == nil)
        #expect(abs(values[2]! - 0.8 * (1 - 0.125)) < 1e-12)   // final + (initial − final)(1 − 1/2)^3
    }

    @Test func prunesToTheTargetAndKeepsWeightsPruned() throws {
        GlobalRandom.seed(3)
        let model = Self.model()
        let pruning = try MagnitudePruning(schedule: .constant(sparsity: 0.75, beginStep: 0, frequency: 100))
        try Self.train(model, callbacks: [pruning])   // 8 steps: masks made at step 0, re-applied after each step
        for (name, sparsity) in MagnitudePruning.sparsity(of: model) {
            #expect(sparsity >= 0.75 && sparsity < 0.8, "\(name): \(sparsity)")
        }
        #expect((model.layers[0] as! Dense).bias!.scalars.contains { $0 != 0 }, "biases are not pruned")
    }

    @Test func globalScopePrunesTheSmallestOfAllKernels() throws {
        GlobalRandom.seed(4)
        let model = Self.model()
        (model.layers[1] as! Dense).kernel!.assign(Tensor.full([16, 3], 10))   // the second kernel is all large
        let pruning = try MagnitudePruning(schedule: .constant(sparsity: 0.5, beginStep: 0, frequency: 100), scope: .global)
        try Self.train(model, callbacks: [pruning], epochs: 1)
        let sparsity = MagnitudePruning.sparsity(of: model)
        // 176 weights, 88 pruned: all from the first kernel (128 weights), none from the large one.
        #expect(abs(sparsity[0].sparsity - 88.0 / 128) < 1e-9 && sparsity[1].sparsity == 0, "\(sparsity)")
    }

    @Test func refusesSparsitiesOutsideTheUnitInterval() {
        for schedule in [PruningSchedule.constant(sparsity: 1), .constant(sparsity: 0), .constant(sparsity: -0.2),
                         .polynomial(initial: 0, final: 1.5, beginStep: 0, endStep: 10), .polynomial(initial: 0.2, final: 0.8, beginStep: 5, endStep: 5)] {
            #expect(throws: CompressError.self, "\(schedule)") { try MagnitudePruning(schedule: schedule) }
        }
    }
}
