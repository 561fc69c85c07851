import Foundation
import Testing
import LeptonData
import LeptonJobs
import LeptonNN
import LeptonTensor
import LeptonTrain

/// Every example model trained both ways — eagerly and with `jit: true` — from the same seed on
/// the first batches of its real dataset: the same losses step by step, the same weights after,
/// the same predictions.
@Suite(.serialized) struct JITExampleModelsTests {
    /// The example configs `lepton train` and `lepton embed` read (the tuning config searches
    /// over examples/mnist-mlp.yaml's model and is not a training config).
    static let configs = ["faces-cnn", "mnist-cnn-bn", "mnist-cnn-ps", "mnist-cnn", "mnist-mlp", "mnist-student-6k",
                          "mnist-student", "movielens-mf", "open-set-embed", "sentiment-lstm", "sentiment-transformer"]

    @Test func everyExampleIsCovered() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: "examples").filter { $0.hasSuffix(".yaml") }
        let names = Set(files.map { String($0.dropLast(5)) }).subtracting(["mnist-mlp-tune"])
        #expect(names == Set(Self.configs), "examples without a jit comparison: \(names.subtracting(Self.configs))")
    }

    @Test(arguments: configs) func trainsTheSameBothWays(_ name: String) throws {
        let config = try TrainingConfig.load("examples/\(name).yaml")
        let parts = try config.loadParts()
        var batches: [(Tensor, Tensor)] = []
        for batch in DataLoader(parts.train, batchSize: 32, prefetch: 0).batches(epoch: 0).prefix(4) {
            batches.append((batch[0], batch[1]))
        }
        func train(jit: Bool) throws -> (Sequential, [Float]) {
            try GlobalRandom.scoped(seed: config.seed) {
                let model = try config.buildModel(for: parts)
                model.build(inputShape: parts.inputShape, dtype: parts.inputDType)
                try model.compile(optimizer: config.optimizer, loss: config.loss, jit: jit)
                return (model, batches.map { model.trainStep(x: $0.0, y: $0.1).loss })
            }
        }
        let (eager, eagerLosses) = try train(jit: false)
        let (compiled, jitLosses) = try train(jit: true)
        let summary = compiled.jitSummary ?? "nil"
        let trainLines = summary.split(separator: "\n").filter { $0.hasPrefix("train [") }
        if name == "movielens-mf" {
            // Its one layer (MatrixFactorization) has no lowering: the step stays eager and says why.
            #expect(trainLines.count == 1 && trainLines[0].contains(": eager (no layer could be lowered"), "\(summary)")
        } else {
            #expect(!trainLines.isEmpty && trainLines.allSatisfy { !$0.contains(": eager (") },
                    "\(name): the training step was compiled: \(summary)")
        }
        func close(_ a: [Float], _ b: [Float], _ tolerance: Float = 1e-4) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($0)) }
        }
        #expect(close(eagerLosses, jitLosses), "\(name): losses eager \(eagerLosses) vs jit \(jitLosses)")
        for ((key, a), (_, b)) in zip(eager.namedParameters(), compiled.namedParameters()) {
            #expect(close(a.scalars, b.scalars), "\(name): \(key) differs after \(batches.count) steps")
        }
        let x = batches[0].0
        #expect(close(eager.predict(x).scalars, compiled.predict(x).scalars), "\(name): predictions differ")
        print("\(name):\n\(summary)")
    }
}
