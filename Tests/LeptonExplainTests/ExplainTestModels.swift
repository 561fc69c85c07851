import Foundation
import LeptonData
import LeptonExplain
import LeptonNN
import LeptonTensor
import LeptonTrain

/// Models and images the explainability tests share.
enum ExplainTestModels {
    /// A small seeded CNN on `[1, 8, 8, 2]` inputs: Conv2D(4, 3×3, `activation`) → max-pool 2 →
    /// Flatten → Dense(3, softmax).
    static func smallCNN(seed: UInt64, activation: ActivationFunction = .tanh) -> Sequential {
        let model = Sequential([
            Conv2D(filters: 4, kernelSize: [3, 3], activation: activation),
            MaxPooling2D(poolSize: [2, 2]),
            Flatten(),
            Dense(units: 3, activation: .softmax),
        ])
        model.build(inputShape: [8, 8, 2])
        seedWeights(model, seed: seed)
        return model
    }

    /// A seeded image `[1, 8, 8, 2]` with values in 0…1.
    static func smallImage(seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return Tensor.uniform([1, 8, 8, 2], generator: &generator)
    }

    /// The MNIST CNN of the tests: Rescaling(1/255) → Conv2D(16, 3×3, relu) → max-pool 2 →
    /// Flatten → Dense(10, softmax), on pixels 0–255.
    static func mnistArchitecture(seed: UInt64) -> Sequential {
        let model = Sequential([
            Rescaling(scale: 1.0 / 255),
            Conv2D(filters: 16, kernelSize: [3, 3], activation: .relu),
            MaxPooling2D(poolSize: [2, 2]),
            Flatten(),
            Dense(units: 10, activation: .softmax),
        ])
        model.build(inputShape: [28, 28, 1])
        seedWeights(model, seed: seed)
        return model
    }

    /// Glorot-uniform kernels and zero biases drawn from `seed` alone: tests run in parallel, so
    /// weights drawn from the shared GlobalRandom would depend on the other tests' timing.
    static func seedWeights(_ model: Sequential, seed: UInt64) {
        var generator = RandomGenerator(seed: seed)
        for (_, p) in model.namedParameters() {
            let s = p.shape
            let (fanIn, fanOut) = s.count == 4 ? (s[1] * s[2] * s[3], s[0] * s[2] * s[3]) : s.count == 2 ? (s[0], s[1]) : (0, 0)
            let limit = fanIn + fanOut > 0 ? (6 / Float(fanIn + fanOut)).squareRoot() : 0
            p.assign(Tensor((0..<p.count).map { _ in limit * (2 * generator.nextFloat() - 1) }, shape: s))
        }
    }

    /// Weights and test images of the MNIST CNN trained once per test process (one epoch on
    /// 3,000 training digits: a few seconds).
    struct TrainedMNIST: @unchecked Sendable {
        let state: [String: Tensor]
        let testImages: Tensor      // [n, 28, 28, 1], 0–255
        let testLabels: [Int]
    }

    /// The trained MNIST CNN, or the error that stopped training (no MNIST files).
    static let trained: Result<TrainedMNIST, Error> = Result {
        let mnist = try MNIST(directory: MNIST.defaultDirectory())
        let model = mnistArchitecture(seed: 7)
        model.shuffleSeed = 1
        try model.compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"])
        let x = mnist.trainImages.slice(axis: 0, end: 3000).reshape([3000, 28, 28, 1])
        _ = try model.fit(x: x, y: mnist.trainLabels.slice(axis: 0, end: 3000), epochs: 1, batchSize: 32, verbose: .silent)
        let state = Dictionary(uniqueKeysWithValues: model.stateDict().map { ($0.0, $0.1.copy()) })
        return TrainedMNIST(state: state, testImages: mnist.testImages.slice(axis: 0, end: 50).reshape([50, 28, 28, 1]),
                            testLabels: mnist.testLabels.slice(axis: 0, end: 50).int32Scalars.map(Int.init))
    }

    /// A fresh copy of the trained MNIST CNN (each test may change its own).
    static func trainedMNIST() throws -> (Sequential, TrainedMNIST) {
        let trained = try trained.get()
        let model = mnistArchitecture(seed: 7)
        try model.loadStateDict(trained.state)
        return (model, trained)
    }

    /// Test image `i` as `[1, 28, 28, 1]`.
    static func image(_ trained: TrainedMNIST, _ i: Int) -> Tensor {
        trained.testImages.slice(axis: 0, start: i, end: i + 1).copy()
    }

    /// Replaces every weight of `model` with Gaussian noise of the weight tensor's own standard
    /// deviation (0.05 where it is constant): the model-randomisation test of Adebayo et al.
    static func randomizeWeights(_ model: Sequential, seed: UInt64) {
        var generator = RandomGenerator(seed: seed)
        for (_, p) in model.namedParameters() {
            let v = p.scalars, mean = v.reduce(0, +) / Float(max(1, v.count))
            let std = (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(max(1, v.count))).squareRoot()
            let scale = std > 0 ? std : 0.05
            p.assign(Tensor((0..<p.count).map { _ in scale * generator.nextNormal() }, shape: p.shape))
        }
    }
}
