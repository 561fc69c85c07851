import Foundation
import Testing
import LeptonNN
import LeptonTensor
import LeptonTrain

@Suite struct CallbacksTests {
    /// A compiled linear model on the small regression problem, with SGD at `learningRate`.
    func setUp(learningRate: Float = 0.05, metrics: [MetricSpec] = []) throws -> (Sequential, Tensor, Tensor) {
        let (x, y) = regressionData()
        let model = linearModel()
        model.shuffleSeed = 3
        try model.compile(optimizer: .sgd(learningRate: learningRate), loss: "mse", metrics: metrics)
        return (model, x, y)
    }

    @Test func historyRecordsEveryEpochsLogs() throws {
        let (model, x, y) = try setUp(metrics: ["mae"])
        let history = try model.fit(x: x, y: y, epochs: 4, batchSize: 4, validationData: (x, y), verbose: .silent)
        #expect(history.epochs == [0, 1, 2, 3])
        #expect(Set(history.history.keys) == ["loss", "mae", "val_loss", "val_mae"])
        #expect(history.history.values.allSatisfy { $0.count == 4 })
        let losses = history.history["val_loss"]!
        #expect(zip(losses, losses.dropFirst()).allSatisfy { $0 > $1 }, "\(losses)")
        let final = try model.evaluate(x: x, y: y, batchSize: 5)
        #expect(abs(final["loss"]! - losses.last!) < 1e-5)
    }

    @Test func earlyStoppingWaitsPatienceEpochsAndRestoresTheBestWeights() throws {
        // The monitored value is best at epoch 1, then gets worse.
        let (model, x, y) = try setUp(metrics: [MetricSpec { ScriptedMetric([3, 1, 2, 2.5, 4, 5, 6, 7]) }])
        var snapshots: [[String: [Float]]] = []
        let record = LambdaCallback(onEpochEnd: { _, _, context in snapshots.append(weights(context.model)) })
        let stopping = EarlyStopping(monitor: "scripted", patience: 2, mode: .min, restoreBestWeights: true)
        let history = try model.fit(x: x, y: y, epochs: 8, batchSize: 4, callbacks: [record, stopping], verbose: .silent)
        // Two epochs without improvement (2 and 3) stop training after epoch 3, as Keras does.
        #expect(history.epochs == [0, 1, 2, 3])
        #expect(stopping.stoppedEpoch == 3 && stopping.bestEpoch == 1)
        #expect(snapshots.count == 4 && snapshots[1] != snapshots[3])
        #expect(weights(model) == snapshots[1])

        // Without restoring, the last weights stay; patience 0 stops at the first epoch without improvement.
        let (plain, _, _) = try setUp(metrics: [MetricSpec { ScriptedMetric([3, 1, 2, 0]) }])
        var last: [String: [Float]] = [:]
        let keep = EarlyStopping(monitor: "scripted", patience: 0, mode: .min)
        let h = try plain.fit(x: x, y: y, epochs: 4, batchSize: 4,
                              callbacks: [keep, LambdaCallback(onEpochEnd: { _, _, c in last = weights(c.model) })], verbose: .silent)
        #expect(h.epochs == [0, 1, 2] && keep.stoppedEpoch == 2)
        #expect(weights(plain) == last)

        // minDelta: improvements smaller than it do not count; a missing key never stops.
        let (delta, _, _) = try setUp(metrics: [MetricSpec { ScriptedMetric([1, 0.95, 0.9, 0.85]) }])
        let coarse = EarlyStopping(monitor: "scripted", minDelta: 0.2, patience: 2, mode: .min)
        #expect(try delta.fit(x: x, y: y, epochs: 4, batchSize: 4, callbacks: [coarse], verbose: .silent).epochs == [0, 1, 2])
        let absent = EarlyStopping(monitor: "val_loss", patience: 0)
        #expect(try delta.fit(x: x, y: y, epochs: 3, batchSize: 4, callbacks: [absent], verbose: .silent).epochs == [0, 1, 2])
        #expect(absent.stoppedEpoch == nil && absent.bestEpoch == nil)
    }

    @Test func monitorModesFollowKerasAuto() {
        #expect(MonitorMode.auto("val_loss") == .min && MonitorMode.auto("mse") == .min && MonitorMode.auto("val_mae") == .min)
        #expect(MonitorMode.auto("accuracy") == .max && MonitorMode.auto("val_auc") == .max)
        #expect(EarlyStopping(monitor: "val_accuracy").mode == .max)
    }

    @Test func reduceLROnPlateauLowersTheOptimizersLearningRate() throws {
        let (model, x, y) = try setUp(learningRate: 0.08, metrics: [MetricSpec { ScriptedMetric([1, 1, 1, 1, 1, 0.5, 0.5, 0.5]) }])
        var rates: [Float] = []
        let reduce = ReduceLROnPlateau(monitor: "scripted", factor: 0.5, patience: 2, minDelta: 0,
                                       minimumLearningRate: 0.015, mode: .min)
        let record = LambdaCallback(onEpochEnd: { _, _, context in rates.append(context.optimizer.learningRate) })
        try model.fit(x: x, y: y, epochs: 8, batchSize: 4, callbacks: [reduce, record], verbose: .silent)
        // Epochs 1–2 flat → halve; 3–4 flat → halve; 5 improves; 6–7 flat → halve, floored at 0.015.
        #expect(rates == [0.08, 0.08, 0.04, 0.04, 0.02, 0.02, 0.02, 0.015])
        #expect(model.optimizer?.learningRate == 0.015)
    }

    @Test func learningRateSchedulerSetsTheRateEachEpoch() throws {
        let (model, x, y) = try setUp(learningRate: 0.1)
        var seen: [Int: Float] = [:]
        let scheduler = LearningRateScheduler { epoch, rate in epoch == 0 ? rate : rate / 2 }
        let record = LambdaCallback(onBatchBegin: { batch, context in if batch == 0 { seen[seen.count] = context.optimizer.learningRate } })
        try model.fit(x: x, y: y, epochs: 4, batchSize: 8, callbacks: [scheduler, record], verbose: .silent)
        #expect((0..<4).map { seen[$0]! } == [0.1, 0.05, 0.025, 0.0125])
    }

    @Test func terminateOnNaNStopsAtTheFirstNonFiniteLoss() throws {
        let (model, x, y) = try setUp()
        var values = x.scalars
        values[9] = .nan   // sample 4, in the third batch of 2
        let bad = Tensor(values, shape: x.shape)
        var batches = 0
        let terminate = TerminateOnNaN()
        let history = try model.fit(x: bad, y: y, epochs: 5, batchSize: 2, shuffle: false,
                                    callbacks: [terminate, LambdaCallback(onBatchEnd: { _, _, _ in batches += 1 })], verbose: .silent)
        #expect(terminate.terminatedAtBatch == 2)
        #expect(batches == 3)
        #expect(history.epochs == [0])
        #expect(history.history["loss"]!.first!.isNaN)
    }

    @Test func csvLoggerWritesAHeaderAndOneRowPerEpoch() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-csvlog-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("log.csv")
        let (model, x, y) = try setUp(metrics: ["mae"])
        let history = try model.fit(x: x, y: y, epochs: 3, batchSize: 4, validationData: (x, y),
                                    callbacks: [CSVLogger(url: url)], verbose: .silent)
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0] == "epoch,loss,mae,val_loss,val_mae")
        for epoch in 0..<3 {
            let cells = lines[epoch + 1].split(separator: ",").map(String.init)
            #expect(cells[0] == String(epoch))
            for (k, key) in ["loss", "mae", "val_loss", "val_mae"].enumerated() {
                #expect(Float(cells[k + 1]) == history.history[key]![epoch], "\(key) at epoch \(epoch): \(lines)")
            }
        }
        // Appending adds rows under the same header; without append the file starts over.
        try model.fit(x: x, y: y, epochs: 2, batchSize: 4, validationData: (x, y), callbacks: [CSVLogger(url: url, append: true)], verbose: .silent)
        let appended = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        #expect(appended.count == 6 && appended[4].hasPrefix("0,") && appended.filter { $0.hasPrefix("epoch") }.count == 1)
        try model.fit(x: x, y: y, epochs: 1, batchSize: 4, callbacks: [CSVLogger(url: url)], verbose: .silent)
        let fresh = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        #expect(fresh.count == 2 && fresh[0] == "epoch,loss,mae")
    }

    @Test func lambdaCallbackSeesEventsInOrder() throws {
        let (model, x, y) = try setUp()
        var events: [String] = []
        let callback = LambdaCallback(
            onEpochEnd: { e, logs, _ in events.append("epochEnd \(e) \(logs.keys)") },
            onBatchEnd: { b, _, _ in events.append("batchEnd \(b)") },
            onTrainBegin: { context in events.append("trainBegin \(context.epochs)x\(context.stepsPerEpoch)") },
            onTrainEnd: { _ in events.append("trainEnd") },
            onEpochBegin: { e, _ in events.append("epochBegin \(e)") },
            onBatchBegin: { b, _ in events.append("batchBegin \(b)") })
        try model.fit(x: x, y: y, epochs: 2, batchSize: 10, validationSplit: 0.25, callbacks: [callback], verbose: .silent)
        let epoch = { (e: Int) in ["epochBegin \(e)", "batchBegin 0", "batchEnd 0", "batchBegin 1", "batchEnd 1", "epochEnd \(e) [\"loss\", \"val_loss\"]"] }
        #expect(events == ["trainBegin 2x2"] + epoch(0) + epoch(1) + ["trainEnd"])
    }
}
