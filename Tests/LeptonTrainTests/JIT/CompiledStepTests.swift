import Foundation
import Testing
import LeptonNN
import LeptonTensor
import LeptonTrain

/// `compile(..., jit: true)` against the eager model it was made from: the same losses step by
/// step, the same weights after, the same predictions — for lowered layers, fused pairs, eager
/// islands and the fallbacks.
@Suite struct CompiledStepTests {
    /// Trains `make()` eagerly and compiled from the same seed for `steps` batches of `x`/`y`
    /// and compares the losses, the weights and the predictions within `tolerance` (relative).
    func compareBothWays(_ make: () -> Sequential, x: Tensor, y: Tensor, loss: LossFunction, optimizer: OptimizerSpec = "adam",
                         batch: Int = 16, steps: Int = 4, tolerance: Float = 1e-5,
                         sourceLocation: SourceLocation = #_sourceLocation) throws -> Sequential {
        // Tests run in parallel: the weights and dropout masks come from a random sequence of this test's own.
        func train(jit: Bool) throws -> (Sequential, [Float]) {
            try GlobalRandom.scoped(seed: 7) {
                let model = make()
                try model.compile(optimizer: optimizer, loss: loss, jit: jit)
                var losses: [Float] = []
                for s in 0..<steps {
                    let start = (s * batch) % x.shape[0]
                    let bx = x.slice(axis: 0, start: start, end: start + batch), by = y.slice(axis: 0, start: start, end: start + batch)
                    losses.append(model.trainStep(x: bx, y: by).loss)
                }
                return (model, losses)
            }
        }
        let (eager, eagerLosses) = try train(jit: false)
        let (compiled, compiledLosses) = try train(jit: true)
        let trainLines = (compiled.jitSummary ?? "").split(separator: "\n").filter { $0.hasPrefix("train [") }
        #expect(!trainLines.isEmpty && trainLines.allSatisfy { !$0.contains(": eager (") },
                "the training step was compiled: \(compiled.jitSummary ?? "nil")", sourceLocation: sourceLocation)
        func close(_ a: [Float], _ b: [Float]) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($0)) }
        }
        #expect(close(eagerLosses, compiledLosses), "losses eager \(eagerLosses) vs jit \(compiledLosses)", sourceLocation: sourceLocation)
        for ((name, a), (_, b)) in zip(eager.namedParameters(), compiled.namedParameters()) {
            #expect(close(a.scalars, b.scalars), "weights of \(name) differ after \(steps) steps", sourceLocation: sourceLocation)
        }
        let px = x.slice(axis: 0, end: min(x.shape[0], 40))
        #expect(close(eager.predict(px, batchSize: 16).scalars, compiled.predict(px, batchSize: 16).scalars),
                "predictions differ", sourceLocation: sourceLocation)
        return compiled
    }

    func images(_ n: Int, seed: UInt64 = 1) -> (Tensor, Tensor) {
        var g = RandomGenerator(seed: seed)
        return (Tensor.normal([n, 12, 12, 2], generator: &g), Tensor.randint([n], high: 5, generator: &g))
    }

    @Test func mlpWithDropoutAndSoftmaxMatchesEager() throws {
        var g = RandomGenerator(seed: 3)
        let x = Tensor.normal([64, 20], generator: &g), y = Tensor.randint([64], high: 4, generator: &g)
        let model = try compareBothWays({
            Sequential([Dense(units: 32, activation: .relu), Dropout(rate: 0.3), Dense(units: 16, activation: .tanh),
                        Dense(units: 8, activation: .sigmoid), Dense(units: 4, activation: .softmax)])
        }, x: x, y: y, loss: "sparse_categorical_crossentropy")
        let summary = try #require(model.jitSummary)
        #expect(summary.contains("dense 20→32 +bias +relu") && summary.contains("dropout 0.3") && summary.contains("+softmax"), "\(summary)")
        #expect(!summary.contains("eager"), "every layer is lowered: \(summary)")
    }

    @Test func cnnMatchesEagerAndFusesThePoolingAtInference() throws {
        let (x, y) = images(48)
        let model = try compareBothWays({
            Sequential([Conv2D(filters: 4, kernelSize: [3, 3], activation: .relu), MaxPooling2D(),
                        Conv2D(filters: 6, kernelSize: [3, 3], padding: .same), AveragePooling2D(), Flatten(),
                        Dense(units: 5)])
        }, x: x, y: y, loss: .sparseCategoricalCrossEntropy(fromLogits: true), optimizer: .sgd(learningRate: 0.05, momentum: 0.9))
        let summary = try #require(model.jitSummary)
        #expect(summary.contains("infer [16, 12, 12, 2]: conv2d 3×3 2→4 +bias +relu +maxpool2×2"), "\(summary)")
        #expect(summary.contains("train [16, 12, 12, 2]: conv2d 3×3 2→4 +bias +relu; maxpool 2×2 +relu gradient; conv2d 3×3 4→6 +bias; averagepool 2×2"),
                "\(summary)")
    }

    @Test func layersItCannotLowerRunAsEagerIslands() throws {
        let (x, y) = images(48, seed: 2)
        let model = try compareBothWays({
            Sequential([Conv2D(filters: 4, kernelSize: [3, 3]), BatchNormalization(), Activation(.relu), Flatten(),
                        Dense(units: 12, activation: .gelu), Dense(units: 5)])
        }, x: x, y: y, loss: .sparseCategoricalCrossEntropy(fromLogits: true))
        let summary = try #require(model.jitSummary)
        #expect(summary.contains("eager BatchNormalization") && summary.contains("eager Dense"), "\(summary)")
    }

    @Test func maskedSequenceModelKeepsTheMaskInOneIsland() throws {
        var g = RandomGenerator(seed: 4)
        var ids = Tensor.randint([48, 7], high: 30, generator: &g).int32Scalars
        for i in stride(from: 0, to: ids.count, by: 5) { ids[i] = 0 }   // padding
        let x = Tensor(int32: ids, shape: [48, 7]), y = Tensor.randint([48, 1], high: 2, generator: &g).cast(to: .float32)
        let model = try compareBothWays({
            Sequential([Embedding(vocabularySize: 30, dimensions: 8, maskZero: true), LSTM(units: 6), Dense(units: 6, activation: .relu),
                        Dense(units: 1)])
        }, x: x, y: y, loss: .binaryCrossEntropy(fromLogits: true))
        let summary = try #require(model.jitSummary)
        #expect(summary.contains("eager Embedding, LSTM; dense 6→6 +bias +relu"), "\(summary)")
    }

    @Test func aLayerAppliedTwiceStaysEagerSoItsGradientsAdd() throws {
        var g = RandomGenerator(seed: 8)
        let x = Tensor.normal([32, 6], generator: &g), y = Tensor.randint([32], high: 3, generator: &g)
        let model = try compareBothWays({
            let shared = Dense(units: 6, activation: .tanh)
            return Sequential([shared, Dense(units: 6, activation: .relu), shared, Dense(units: 3)])
        }, x: x, y: y, loss: .sparseCategoricalCrossEntropy(fromLogits: true))
        let summary = try #require(model.jitSummary)
        #expect(summary.contains("eager Dense; dense 6→6 +bias +relu; eager Dense; dense 6→3 +bias"), "\(summary)")
    }

    @Test func frozenLayersAreNotUpdated() throws {
        let first = Dense(units: 8, activation: .relu, inputDimensions: 6)
        let model = Sequential([first, Dense(units: 3)])
        for p in first.parameters() { p.requiringGrad(false) }
        let before = first.kernel!.scalars
        try model.compile(optimizer: "adam", loss: .sparseCategoricalCrossEntropy(fromLogits: true), jit: true)
        var g = RandomGenerator(seed: 2)
        _ = model.trainStep(x: Tensor.normal([10, 6], generator: &g), y: Tensor.randint([10], high: 3, generator: &g))
        #expect(first.kernel!.scalars == before)
        #expect(model.jitSummary?.contains("train [10, 6]") == true)
    }

    @Test func subclassedModelsRunEagerlyAndSayWhy() throws {
        final class Twice: Model {
            let dense = Dense(units: 2, inputDimensions: 3)
            override func forward(_ input: Tensor) -> Tensor { dense(input) + dense(input * 2) }
        }
        let model = Twice()
        try model.compile(optimizer: "sgd", loss: "mse", jit: true)
        _ = model.trainStep(x: Tensor.ones([4, 3]), y: Tensor.zeros([4, 2]))
        #expect(model.jitSummary?.contains("eager (only Sequential models are captured") == true, "\(model.jitSummary ?? "nil")")
    }

    @Test func fitAndEvaluateMatchEagerWithAPartialLastBatch() throws {
        var g = RandomGenerator(seed: 9)
        let x = Tensor.normal([50, 10], generator: &g), y = Tensor.randint([50], high: 3, generator: &g)
        func run(jit: Bool) throws -> ([Float], Logs, Sequential) { try GlobalRandom.scoped(seed: 5) {
            let model = Sequential([Dense(units: 16, activation: .relu), Dropout(rate: 0.2), Dense(units: 3, activation: .softmax)])
            model.shuffleSeed = 3
            try model.compile(optimizer: "rmsprop", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"], jit: jit)
            let history = try model.fit(x: x, y: y, epochs: 3, batchSize: 16, verbose: .silent)
            return (history.history["loss"]!, try model.evaluate(x: x, y: y, batchSize: 16), model)
        } }
        let (eagerLoss, eagerLogs, _) = try run(jit: false)
        let (jitLoss, jitLogs, model) = try run(jit: true)
        #expect(zip(eagerLoss, jitLoss).allSatisfy { abs($0 - $1) <= 1e-5 }, "\(eagerLoss) vs \(jitLoss)")
        #expect(abs(eagerLogs["loss"]! - jitLogs["loss"]!) <= 1e-5 && eagerLogs["accuracy"] == jitLogs["accuracy"])
        let summary = model.jitSummary ?? ""
        #expect(summary.contains("train [16, 10]") && summary.contains("train [2, 10]") && summary.contains("infer [2, 10]"), "\(summary)")
    }
}

/// The arena planner: values alive at the same time never share memory; values that are not do.
@Suite struct BufferPlanTests {
    @Test func liveValuesNeverOverlapAndDeadOnesShare() {
        var graph = StepGraph()
        let input = graph.value([4, 8], external: true)
        let a = graph.value([4, 100]), b = graph.value([4, 50]), c = graph.value([4, 100]), view = graph.alias(of: b, shape: [200])
        graph.use([input, a], at: 0)
        graph.use([a, b], at: 1)
        graph.use([view, c], at: 2)
        let plan = BufferPlan(graph)
        #expect(plan.offsets[input] == nil && plan.offsets[view] == nil, "external values and aliases own no memory")
        let (oa, ob, oc) = (plan.offsets[a]!, plan.offsets[b]!, plan.offsets[c]!)
        #expect(oa % BufferPlan.alignment == 0 && ob % BufferPlan.alignment == 0 && oc % BufferPlan.alignment == 0)
        #expect(oa + 400 <= ob || ob + 200 <= oa, "a and b are alive together at time 1")
        #expect(ob + 200 <= oc || oc + 400 <= ob, "b (through its view) and c are alive together at time 2")
        #expect(oa == oc, "a is dead when c is born: c reuses its memory")
        #expect(plan.floatCount == 608)
    }
}
