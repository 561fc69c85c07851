import Testing
import LeptonTensor
import LeptonNN

private final class TwoLayer: Module {
    let hidden = Dense(units: 4, activation: .relu, inputDimensions: 3)
    let heads: [Module] = [Dense(units: 2, inputDimensions: 4), Dropout(rate: 0.5, seed: 1)]
    override func forward(_ x: Tensor) -> Tensor { heads[1](heads[0](hidden(x))) }
}

@Suite struct ModuleTests {
    @Test func parametersAreFoundByReflection() {
        let model = TwoLayer()
        let names = model.namedParameters().map(\.0)
        #expect(names == ["hidden.kernel", "hidden.bias", "heads.0.kernel", "heads.0.bias"])
        #expect(model.parameterCount == 3 * 4 + 4 + 4 * 2 + 2)
    }

    @Test func freezeRemovesParametersFromTraining() {
        let model = TwoLayer()
        model.hidden.freeze()
        #expect(model.parameters().count == 2)
        model.unfreeze()
        #expect(model.parameters().count == 4)
    }

    @Test func trainAndEvalReachSubmodules() {
        let model = TwoLayer()
        model.eval()
        #expect(model.namedModules().allSatisfy { !$0.1.isTraining })
        let x = Tensor.ones([2, 3])
        #expect(model(x).scalars == model(x).scalars)   // dropout off in eval mode
    }

    @Test func stateDictRoundTripsAndRejectsMismatches() throws {
        let a = TwoLayer(), b = TwoLayer()
        try b.loadStateDict(Dictionary(uniqueKeysWithValues: a.stateDict()))
        for ((_, x), (_, y)) in zip(a.stateDict(), b.stateDict()) { #expect(x.scalars == y.scalars) }
        var bad = Dictionary(uniqueKeysWithValues: a.stateDict())
        bad["hidden.kernel"] = Tensor.zeros([4, 3])
        bad["extra"] = Tensor.zeros([1])
        #expect(throws: StateDictError.self) { try b.loadStateDict(bad) }
        do {
            try b.loadStateDict(bad)
        } catch let error as StateDictError {
            #expect(error.description.contains("hidden.kernel: expected float32 [3, 4], got float32 [4, 3]"))
            #expect(error.description.contains("unexpected: extra"))
        }
    }
}
