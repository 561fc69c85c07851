import Testing
import LeptonNN
import LeptonTensor
import LeptonTrain

/// The state EarlyStopping and ReduceLROnPlateau carry between epochs, captured and taken up.
@Suite struct StatefulCallbackTests {
    func fitted(_ callbacks: [Callback], scripted: [Float]) throws {
        let (x, y) = regressionData()
        let model = linearModel()
        model.shuffleSeed = 3
        try model.compile(optimizer: .sgd(learningRate: 0.05), loss: "mse", metrics: [MetricSpec { ScriptedMetric(scripted) }])
        try model.fit(x: x, y: y, epochs: scripted.count, batchSize: 4, callbacks: callbacks, verbose: .silent)
    }

    @Test func earlyStoppingStateRoundTrips() throws {
        let stopping = EarlyStopping(monitor: "scripted", patience: 5, mode: .min, restoreBestWeights: true)
        try fitted([stopping], scripted: [3, 1, 2])
        let state = try stopping.checkpointState()
        #expect(state.type == "EarlyStopping")
        #expect(try state.float("best") == 1 && state.int("wait") == 1 && state.optionalInt("best_epoch") == 1)
        #expect(Set(state.tensors.keys) == ["layers.0.kernel", "layers.0.bias"])
        let again = EarlyStopping(monitor: "scripted", patience: 5, mode: .min, restoreBestWeights: true)
        try again.restore(state)
        let copy = try again.checkpointState()
        #expect(copy.values == state.values && copy.tensors.mapValues(\.scalars) == state.tensors.mapValues(\.scalars))
        #expect(again.bestEpoch == 1)
    }

    @Test func reduceLROnPlateauStateRoundTrips() throws {
        let reduce = ReduceLROnPlateau(monitor: "scripted", factor: 0.5, patience: 3, mode: .min)
        try fitted([reduce], scripted: [2, 1, 4, 5])
        let state = try reduce.checkpointState()
        #expect(try state.float("best") == 1 && state.int("wait") == 2)
        let again = ReduceLROnPlateau(monitor: "scripted", factor: 0.5, patience: 3, mode: .min)
        try again.restore(state)
        #expect(try again.checkpointState().values == state.values)
    }

    @Test func malformedStatesNameTheKey() {
        let stopping = EarlyStopping()
        let missing = CallbackState(type: "EarlyStopping", values: ["wait": .int(1)])
        #expect(errorMessage { try stopping.restore(missing) }.contains("EarlyStopping state: 'best' is missing or not a number"))
        let wrong = CallbackState(type: "ReduceLROnPlateau", values: ["best": .double(1), "wait": .string("two")])
        #expect(errorMessage { try ReduceLROnPlateau().restore(wrong) }.contains("ReduceLROnPlateau state: 'wait' is not an integer"))
    }
}
