import Foundation
import LeptonIO
import LeptonNN
import LeptonServe
import LeptonTensor
import LeptonTrain

/// Small models and repositories for the server tests.
enum ServeFixtures {
    /// A small CNN on MNIST shapes (28×28×1 → 10 probabilities), seeded.
    static func cnn(seed: UInt64) -> Sequential {
        GlobalRandom.seed(seed)
        let model = Sequential([
            Conv2D(filters: 4, kernelSize: [3, 3], activation: .relu),
            MaxPooling2D(poolSize: [2, 2]),
            Flatten(),
            Dense(units: 10, activation: .softmax),
        ])
        model.build(inputShape: [28, 28, 1])
        return model
    }

    /// Embedding over 20 ids → 3 outputs (an INT32 model).
    static func embedding(seed: UInt64) -> Sequential {
        GlobalRandom.seed(seed)
        let model = Sequential([Embedding(vocabularySize: 20, dimensions: 4), Flatten(), Dense(units: 3)])
        model.build(inputShape: [5], dtype: .int32)
        return model
    }

    /// `count` seeded samples of MNIST shape.
    static func images(_ count: Int, seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return Tensor.uniform([count, 28, 28, 1], low: 0, high: 1, generator: &generator)
    }

    /// A fresh temporary folder.
    static func temporaryFolder(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-serve-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Saves `model` as `<repo>/<name>/<version>/` (and `config` as `<repo>/<name>/config.json`).
    static func save(_ model: Sequential, repo: URL, name: String, version: Int, inputShape: [Int], dtype: DType = .float32,
                     config: String? = nil) throws {
        let folder = repo.appendingPathComponent(name)
        try ModelFile.save(model, to: folder.appendingPathComponent(String(version)), inputShape: inputShape, inputDType: dtype)
        if let config { try config.write(to: folder.appendingPathComponent("config.json"), atomically: true, encoding: .utf8) }
    }

    /// The direct prediction of a model.
    static func predict(_ model: Sequential, _ x: Tensor) -> [Float] {
        model.eval()
        return Tensor.withoutGrad { model(x) }.scalars
    }
}

/// An in-memory model for batcher tests: output = input × 2 plus the batch size it ran in,
/// recorded so tests can see how requests were merged.
final class RecordingModel: InferenceModel, @unchecked Sendable {
    let platform = "test"
    let inputs = [TensorSpec(name: "x", datatype: .fp32, dims: [2])]
    let outputs = [TensorSpec(name: "y", datatype: .fp32, dims: [2])]
    private let lock = NSLock()
    private var sizes: [Int] = []
    let delay: TimeInterval

    init(delay: TimeInterval = 0) { self.delay = delay }

    var batchSizes: [Int] { lock.lock(); defer { lock.unlock() }; return sizes }

    func infer(_ inputs: [String: V2Tensor]) throws -> [String: V2Tensor] {
        let x = inputs["x"]!
        lock.lock(); sizes.append(x.shape[0]); lock.unlock()
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        return ["y": V2Tensor(name: "y", floats: x.floats()!.map { $0 * 2 }, shape: x.shape)]
    }
}
