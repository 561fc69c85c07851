import ArgumentParser
import Foundation
import LeptonCompress
import LeptonData
import LeptonJobs
import LeptonNN
import LeptonTensor
import LeptonTrain

/// The options of `lepton compress --quantize qat` and what it runs: ``QuantizationAwareTraining``
/// prepares the model, it is fine-tuned on the config's training split (one line per epoch, as
/// `lepton train`) with ``QATFreezeSchedule``, evaluated on the test split fake-quantised and
/// converted, and the int8 model is returned.
struct QATOptions: ParsableArguments {
    @Option(help: "With --quantize qat: epochs of quantisation-aware fine-tuning (default 1).")
    var epochs: Int?

    @Option(help: "With --quantize qat: freeze the input ranges and weight scales after this many epochs (at least 1, fewer than --epochs).")
    var freezeObserversAfter: Int?

    @Option(name: .customLong("freeze-bn-after"),
            help: "With --quantize qat: normalisations use their running statistics after this many epochs (fewer than --epochs).")
    var freezeBatchNormAfter: Int?

    @Option(help: "With --quantize qat: the fine-tuning learning rate (default: a tenth of the config's optimizer's).")
    var learningRate: Double?

    /// The epoch count in use.
    var epochCount: Int { epochs ?? 1 }

    /// Refuses these options without `--quantize qat` and values out of range.
    func validate(isQAT: Bool) throws {
        if !isQAT {
            let given = [("--epochs", epochs != nil), ("--freeze-observers-after", freezeObserversAfter != nil),
                         ("--freeze-bn-after", freezeBatchNormAfter != nil), ("--learning-rate", learningRate != nil)]
            if let flag = given.first(where: \.1)?.0 { throw ValidationError("\(flag): expected --quantize qat too") }
            return
        }
        guard (1...1000).contains(epochCount) else { throw ValidationError("--epochs: expected an integer in 1...1000, got \(epochCount)") }
        if let k = freezeObserversAfter, k < 1 || k >= epochCount {
            throw ValidationError("--freeze-observers-after: expected an integer in 1..<\(epochCount) (at least one epoch to observe, "
                                  + "fewer than --epochs \(epochCount)), got \(k)")
        }
        if let k = freezeBatchNormAfter, k < 0 || k >= epochCount {
            throw ValidationError("--freeze-bn-after: expected an integer in 0..<\(epochCount) (fewer than --epochs \(epochCount)), got \(k)")
        }
        if let learningRate, !(learningRate > 0 && learningRate.isFinite) {
            throw ValidationError("--learning-rate: expected a positive number, got \(learningRate)")
        }
    }

    /// `model` fine-tuned with quantisation in the loop and converted to int8.
    func quantized(_ model: Sequential, job: TrainingConfig, splits: DatasetSplits, inputShape: [Int]) throws -> Sequential {
        guard Array(splits.trainX.shape.dropFirst()) == inputShape else {
            throw CompressError("the config's training rows have shape \(Array(splits.trainX.shape.dropFirst())); the model takes "
                                + "\(inputShape) (its input_shape)")
        }
        let qat = QuantizationAwareTraining()
        let prepared = try qat.prepare(model)
        for (name, reason) in prepared.unsupported {
            FileHandle.standardError.write(Data("warning: layer \(name) stays float32: \(reason)\n".utf8))
        }
        for names in prepared.quantized { print("fake-quantised  \(names.joined(separator: " + "))") }
        fflush(stdout)   // before the progress lines, which are written unbuffered
        let optimizer = job.optimizer.withLearningRate(learningRate.map(Float.init) ?? job.optimizer.learningRate / 10)
        let metrics = job.metrics.map { MetricSpec(named: $0) }
        try prepared.model.compile(optimizer: optimizer, loss: job.loss, metrics: metrics)
        let schedule = try QATFreezeSchedule(observersAfter: freezeObserversAfter, batchNormAfter: freezeBatchNormAfter, epochs: epochCount)
        _ = try prepared.model.fit(x: splits.trainX, y: splits.trainY, epochs: epochCount, batchSize: job.batchSize,
                                   callbacks: [schedule], verbose: .oneLinePerEpoch)
        let fake = try prepared.model.evaluate(x: splits.testX, y: splits.testY, batchSize: job.batchSize)
        let result = try qat.convert(prepared.model)
        for (name, input) in result.quantized { print("int8  \(name): input \(input)") }
        try result.model.compile(optimizer: optimizer, loss: job.loss, metrics: metrics)
        let int8 = try result.model.evaluate(x: splits.testX, y: splits.testY, batchSize: job.batchSize)
        print("Test (fake-quantised): \(fake)")
        print("Test (int8): \(int8)")
        print("Quantised \(result.quantized.count) layers after \(epochCount) epoch\(epochCount == 1 ? "" : "s") of quantisation-aware "
              + "training (int8 kernels: \(Int8KernelPath.selected))")
        return result.model
    }
}

extension OptimizerSpec {
    /// The learning rate this spec sets.
    var learningRate: Float {
        switch self {
        case let .sgd(lr, _, _, _), let .adam(lr, _, _, _, _), let .adamW(lr, _), let .rmsprop(lr, _, _, _), let .adagrad(lr, _, _): return lr
        case .unknown: return 1e-3
        }
    }

    /// The same optimizer with learning rate `lr`.
    func withLearningRate(_ lr: Float) -> OptimizerSpec {
        switch self {
        case let .sgd(_, momentum, nesterov, wd): return .sgd(learningRate: lr, momentum: momentum, nesterov: nesterov, weightDecay: wd)
        case let .adam(_, b1, b2, eps, wd): return .adam(learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd)
        case let .adamW(_, wd): return .adamW(learningRate: lr, weightDecay: wd)
        case let .rmsprop(_, rho, momentum, eps): return .rmsprop(learningRate: lr, rho: rho, momentum: momentum, epsilon: eps)
        case let .adagrad(_, initial, eps): return .adagrad(learningRate: lr, initialAccumulator: initial, epsilon: eps)
        case .unknown: return self
        }
    }
}
