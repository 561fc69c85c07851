import Foundation
import LeptonJobs
import LeptonNN
import LeptonONNX
import LeptonTensor
import LeptonTestSupport
import LeptonTrain
import Testing

/// Every example model of `examples/*.yaml`, built from its config with its initializers'
/// weights plus seeded noise (so biases are not zeros), exported to ONNX, checked by
/// `onnx.checker` and run in onnxruntime: outputs equal Lepton's to 1e-4 (the bar).
@Suite struct ExampleModelsExportTests {
    static let examples = ["mnist-cnn", "mnist-mlp", "sentiment-lstm", "movielens-mf", "open-set-embed"]

    /// Test inputs for a config: images, token ids or (user, item) pairs.
    func input(for job: TrainingConfig, model: Sequential, batch: Int) -> Tensor {
        let shape = [batch] + (job.inputShape ?? [])
        switch model.layers.first {
        case let embedding as Embedding:
            return ExportCheck.ids(shape, bound: embedding.vocabularySize, seed: 11)
        case let mf as MatrixFactorization:
            let users = ExportCheck.ids([batch], bound: mf.users + 1, seed: 12).int32Scalars
            let items = ExportCheck.ids([batch], bound: mf.items + 1, seed: 13).int32Scalars
            return Tensor(int32: zip(users, items).flatMap { [$0, $1] }, shape: [batch, 2])
        default:
            return TestSupport.randn(shape, seed: 14)
        }
    }

    @Test(arguments: examples)
    func exampleModelMatchesOnnxRuntime(_ name: String) throws {
        let path = NumPyOracle.repositoryRoot.appendingPathComponent("examples/\(name).yaml").path
        let job = try TrainingConfig.load(path)
        GlobalRandom.seed(job.seed)
        let model = try job.buildModel()
        let x = input(for: job, model: model, batch: 16)
        model.build(inputShape: Array(x.shape.dropFirst()), dtype: x.dtype)
        ExportCheck.perturb(model, seed: job.seed, std: 0.05)
        let difference = try ExportCheck.maxDifference(model, input: x)
        print("ONNX export of \(name): max |Lepton − onnxruntime| = \(difference) over \(x.shape)")
        #expect(difference <= ExportCheck.tolerance, "\(name): \(difference)")
    }
}
