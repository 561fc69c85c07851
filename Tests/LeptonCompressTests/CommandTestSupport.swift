import Foundation
import LeptonIO
import LeptonNN
import LeptonTensor

/// What the tests of `lepton compress` start from.
enum CommandTestSupport {
    /// `layers` (made with a fixed seed) built for MNIST's `[28, 28, 1]` images and saved as the
    /// model folder `dir/name`.
    static func savedMNISTModel(_ layers: () -> [Module], seed: UInt64, in dir: URL, name: String) throws -> URL {
        let model = GlobalRandom.scoped(seed: seed) { Sequential(layers()) }
        model.build(inputShape: [28, 28, 1])
        let folder = dir.appendingPathComponent(name)
        try ModelFile.save(model, to: folder, inputShape: [28, 28, 1])
        return folder
    }

    /// A training config over the first `trainLimit` MNIST training images, written to
    /// `dir/mnist-small.yaml`: what calibrates and fine-tunes in these tests.
    static func smallMNISTConfig(in dir: URL, trainLimit: Int, testLimit: Int, learningRate: Double, batchSize: Int) throws -> URL {
        let config = dir.appendingPathComponent("mnist-small.yaml")
        try """
        dataset: {name: mnist, train_limit: \(trainLimit), test_limit: \(testLimit)}
        model: {input_shape: [28, 28, 1], layers: [{type: Flatten}, {type: Dense, units: 10, activation: softmax}]}
        optimizer: {name: adam, learning_rate: \(learningRate)}
        loss: sparse_categorical_crossentropy
        metrics: [accuracy]
        batch_size: \(batchSize)
        """.write(to: config, atomically: true, encoding: .utf8)
        return config
    }
}
