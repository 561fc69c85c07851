import LeptonData
import LeptonJobs
import LeptonNN
import LeptonTensor
import LeptonTrain
import Testing

/// A project's own datasets and callbacks, registered and then named in a config like the
/// built-in ones; names match without regard to case, `_` or `-`.
@Suite struct RegistryTests {
    @Test func aRegisteredDatasetIsLoadedByNameWithItsOwnKeys() throws {
        DatasetRegistry.shared.register(DatasetEntry(names: ["Tiny-Ones"], keys: ["rows"]) { settings in
            let rows = try settings.int("rows", default: 4, minimum: 1)
            return DatasetSplits(trainX: Tensor.ones([rows, 2]), trainY: Tensor.ones([rows, 1]),
                                 testX: Tensor.ones([1, 2]), testY: Tensor.ones([1, 1]))
        })
        #expect(DatasetRegistry.shared.names.contains("Tiny-Ones"))
        let data = try DatasetRegistry.load(try ConfigReader(.object(["name": .string("tiny_ones"), "rows": .int(6)]), path: "dataset"))
        #expect(data.train.count == 6 && data.inMemory?.trainX.shape == [6, 2])
        #expect { try DatasetRegistry.load(try ConfigReader(.object(["name": .string("tinyones"), "row": .int(6)]), path: "dataset")) }
            throws: { "\($0)".contains("row") }
        #expect { try DatasetRegistry.load(try ConfigReader(.object(["name": .string("tiny")]), path: "dataset")) }
            throws: { "\($0)".contains("dataset.name: unknown dataset \"tiny\"; expected one of mnist") && "\($0)".contains("Tiny-Ones") }
    }

    @Test func aRegisteredCallbackIsBuiltByType() throws {
        CallbackRegistry.shared.register(CallbackEntry(names: ["StopAtOnce"], keys: []) { _, _ in
            LambdaCallback(onEpochEnd: { _, _, context in context.stopTraining = true })
        })
        let context = CallbackEntry.Context(index: 0, inputShape: [2], inputDType: .float32)
        let callback = try CallbackRegistry.make(try ConfigReader(.object(["type": .string("stop_at_once")]), path: "callbacks[0]"),
                                                 context: context)
        #expect(callback is LambdaCallback)
        #expect { try CallbackRegistry.make(try ConfigReader(.object(["type": .string("StopAtOnce"), "x": .int(1)]), path: "callbacks[0]"),
                                            context: context) } throws: { "\($0)".contains("x") }
    }
}
