import Foundation
import Testing
import LeptonNN
import LeptonTensor
import LeptonTrain

/// A subclassed functional model: two branches over the same input, concatenated, then a head.
final class TwoBranchModel: Model {
    let left = Dense(units: 6, activation: .relu, inputDimensions: 2)
    let right = Dense(units: 6, activation: .tanh, inputDimensions: 2)
    let dropout = Dropout(rate: 0.5, seed: 1)
    let head = Dense(units: 1, inputDimensions: 12)
    override func forward(_ x: Tensor) -> Tensor {
        head(dropout(Tensor.concatenate([left(x), right(x)], axis: 1)))
    }
}

/// Records the first input column of every training batch.
final class RecordingModel: Model {
    let dense = Dense(units: 1, inputDimensions: 2, kernelInitializer: .zeros)
    var batches: [[Float]] = []
    override func forward(_ x: Tensor) -> Tensor { dense(x) }
    override func trainStep(x: Tensor, y: Tensor) -> (loss: Float, prediction: Tensor) {
        batches.append(x.slice(axis: 1, start: 0, end: 1).scalars)
        return super.trainStep(x: x, y: y)
    }
}

@Suite struct ModelTests {
    @Test func aSubclassedTwoBranchModelTrainsWithFit() throws {
        GlobalRandom.seed(5)
        let (x, y) = regressionData(samples: 64)
        let model = TwoBranchModel()
        #expect(model.parameters().count == 6)
        model.shuffleSeed = 2
        try model.compile(optimizer: .adam(learningRate: 0.02), loss: "mse", metrics: ["mae"])
        let before = try model.evaluate(x: x, y: y)["loss"]!
        let history = try model.fit(x: x, y: y, epochs: 30, batchSize: 16, verbose: .silent)
        let after = try model.evaluate(x: x, y: y)["loss"]!
        #expect(history.history["loss"]!.count == 30)
        #expect(after < before * 0.2, "loss \(before) → \(after)")
        #expect(model.isTraining)   // fit leaves training mode on; evaluate restores it
    }

    @Test func predictInBatchesEqualsOneForwardPassInEvalMode() throws {
        GlobalRandom.seed(6)
        let (x, _) = regressionData(samples: 23)
        let model = TwoBranchModel()
        let batched = model.predict(x, batchSize: 5)
        model.eval()
        let whole = Tensor.withoutGrad { model(x) }
        model.train()
        #expect(batched.shape == [23, 1])
        #expect(zip(batched.scalars, whole.scalars).allSatisfy { abs($0 - $1) < 1e-6 })
        // One batch of 23 against batches of 5: the GEMM may block the rows differently (it does on
        // Intel AVX-512), so the sums may differ in the last bit.
        #expect(zip(model.predict(x, batchSize: 100).scalars, batched.scalars).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(model.isTraining)
    }

    @Test func evaluateRunsInEvalModeWithDropoutOff() throws {
        GlobalRandom.seed(7)
        let (x, y) = regressionData(samples: 20)
        let model = TwoBranchModel()
        try model.compile(optimizer: "sgd", loss: "mse")
        let first = try model.evaluate(x: x, y: y, batchSize: 6)["loss"]!
        let second = try model.evaluate(x: x, y: y, batchSize: 20)["loss"]!
        model.eval()
        let expected = Tensor.withoutGrad { LeptonNN.meanSquaredError(model(x), y) }.item()
        model.train()
        #expect(abs(first - expected) < 1e-5 && abs(second - expected) < 1e-5)
        // In training mode the dropout makes the loss differ.
        let noisy = Tensor.withoutGrad { LeptonNN.meanSquaredError(model(x), y) }.item()
        #expect(noisy != expected)
        #expect(model.isTraining)
    }

    @Test func validationSplitHoldsOutTheLastSamples() throws {
        let (x, y) = regressionData(samples: 20)
        let model = RecordingModel()
        model.shuffleSeed = 4
        try model.compile(optimizer: .sgd(learningRate: 0.05), loss: "mse")
        let history = try model.fit(x: x, y: y, epochs: 2, batchSize: 4, validationSplit: 0.25, verbose: .silent)
        let column = x.slice(axis: 1, start: 0, end: 1).scalars
        for epoch in 0..<2 {
            let seen = model.batches[(epoch * 4)..<(epoch * 4 + 4)].joined()
            #expect(seen.sorted() == Array(column[..<15]).sorted())   // the first 15 samples, each once
        }
        let heldOut = try model.evaluate(x: x.slice(axis: 0, start: 15), y: y.slice(axis: 0, start: 15))["loss"]!
        #expect(abs(history.history["val_loss"]!.last! - heldOut) < 1e-6)
        #expect(throws: TrainingError.self) { try model.fit(x: x, y: y, validationSplit: 1, verbose: .silent) }
        #expect(throws: TrainingError.self) { try model.fit(x: x, y: y, validationSplit: 0.01, verbose: .silent) }
    }

    @Test func shuffleSeedMakesTrainingRepeatable() throws {
        let (x, y) = regressionData(samples: 24)
        func train(seed: UInt64, shuffle: Bool = true) throws -> ([[Float]], [String: [Float]]) {
            let model = RecordingModel()
            model.shuffleSeed = seed
            try model.compile(optimizer: .sgd(learningRate: 0.05), loss: "mse")
            try model.fit(x: x, y: y, epochs: 2, batchSize: 5, shuffle: shuffle, verbose: .silent)
            return (model.batches, weights(model))
        }
        let a = try train(seed: 9), b = try train(seed: 9), c = try train(seed: 10)
        #expect(a.0 == b.0 && a.1 == b.1)
        #expect(a.0 != c.0)
        #expect(a.0[0..<5] != a.0[5..<10])   // a new order each epoch
        let column = x.slice(axis: 1, start: 0, end: 1).scalars
        let ordered = try train(seed: 9, shuffle: false).0
        #expect(ordered[0] == Array(column[0..<5]) && ordered[4] == Array(column[20..<24]))
    }

    @Test func summaryListsLayersShapesAndParameterCounts() {
        let model = Sequential([
            Dense(units: 8, activation: .relu),
            BatchNormalization(),
            Dropout(rate: 0.2),
            Dense(units: 8),
            Dense(units: 3, activation: .softmax),
        ])
        let summary = model.summary(inputShape: [4])
        let lines = summary.split(separator: "\n").map(String.init)
        #expect(lines.first == "Model: \"sequential\"")
        #expect(lines.contains { $0.hasPrefix("dense (Dense)") && $0.contains("(None, 8)") && $0.hasSuffix("40") }, "\(summary)")
        #expect(lines.contains { $0.hasPrefix("batch_normalization (BatchNormalization)") && $0.contains("(None, 8)") }, "\(summary)")
        #expect(lines.contains { $0.hasPrefix("dropout (Dropout)") && $0.hasSuffix(" 0") }, "\(summary)")
        #expect(lines.contains { $0.hasPrefix("dense_1 (Dense)") && $0.hasSuffix("72") }, "\(summary)")
        #expect(lines.contains { $0.hasPrefix("dense_2 (Dense)") && $0.contains("(None, 3)") && $0.hasSuffix("27") }, "\(summary)")
        let total = model.parameterCount
        #expect(summary.contains("Total params: \(total)\n"))
        #expect(summary.contains("Trainable params: \(model.parameters().reduce(0) { $0 + $1.count })\n"))
        // Probing shapes neither changes batch-norm statistics nor leaves the model in eval mode.
        let buffers = model.namedBuffers().map { $0.1.scalars }
        _ = model.summary(inputShape: [4])
        model.build(inputShape: [4])
        #expect(model.namedBuffers().map { $0.1.scalars } == buffers)
        #expect(model.isTraining)
    }

    @Test func fitAndEvaluateRejectBadArguments() throws {
        let model = linearModel()
        try model.compile(optimizer: "sgd", loss: "mse")
        let (x, y) = regressionData(samples: 8)
        #expect(throws: TrainingError.self) { try model.fit(x: x, y: y, epochs: 0, verbose: .silent) }
        #expect(throws: TrainingError.self) { try model.fit(x: x, y: y, batchSize: 0, verbose: .silent) }
        #expect(throws: TrainingError.self) { try model.evaluate(x: x, y: y.slice(axis: 0, end: 7)) }
        #expect(throws: TrainingError.self) { try linearModel().evaluate(x: x, y: y) }
    }
}
