import ArgumentParser
import Foundation
import LeptonData
import LeptonNN
import LeptonTensor

/// A generative adversarial network on MNIST, trained in a hand-written loop with two
/// optimizers — custom training loops need no `fit`.
///
/// ```sh
/// swift run -c release lepton-gan --epochs 5 --output gan-digits.png
/// ```
@main
struct GANExample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lepton-gan",
        abstract: "Train a GAN on MNIST and save a grid of generated digits as a PNG."
    )

    @Option(help: "Training epochs over the 60,000 MNIST training images.")
    var epochs: Int = 5

    @Option(help: "Batch size.")
    var batchSize: Int = 64

    @Option(help: "Where to write the PNG grid of generated digits.")
    var output: String = "gan-digits.png"

    @Option(help: "Folder holding the MNIST IDX files (default: $LEPTON_DATA_DIR/mnist or ../shared/datasets/mnist).")
    var data: String?

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    func validate() throws {
        guard epochs > 0 else { throw ValidationError("--epochs must be positive, got \(epochs)") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive, got \(batchSize)") }
    }

    func run() throws {
        GlobalRandom.seed(seed)
        let mnist: MNIST
        do {
            mnist = try MNIST(directory: data.map { URL(fileURLWithPath: $0) } ?? MNIST.defaultDirectory())
        } catch let error as DataError {
            throw ValidationError(error.description)
        }
        let images = mnist.trainImages.reshape([-1, 784]) * (2.0 / 255) - 1   // pixels 0–255 to tanh's range
        let latent = 64
        let generator = Sequential([Dense(units: 256, activation: .leakyRelu, inputDimensions: latent),
                             Dense(units: 512, activation: .leakyRelu, inputDimensions: 256),
                             Dense(units: 784, activation: .tanh, inputDimensions: 512)])
        let discriminator = Sequential([Dense(units: 512, activation: .leakyRelu, inputDimensions: 784),
                                 Dense(units: 256, activation: .leakyRelu, inputDimensions: 512),
                                 Dense(units: 1, inputDimensions: 256)])
        let optimizerG = Adam(generator, learningRate: 2e-4, beta1: 0.5)
        let optimizerD = Adam(discriminator, learningRate: 2e-4, beta1: 0.5)
        var rng = RandomGenerator(seed: seed)
        let fixedNoise = Tensor.normal([64, latent], generator: &rng)
        let count = images.shape[0], steps = count / batchSize
        print("GAN on MNIST: \(count) images, \(steps) steps per epoch, batch \(batchSize)")
        for epoch in 1...epochs {
            let start = Date()
            var order = Array(0..<count)
            order.shuffle(using: &rng)
            var lossD: Float = 0, lossG: Float = 0
            for step in 0..<steps {
                let index = Tensor(indices: Array(order[step * batchSize..<(step + 1) * batchSize]))
                let real = images.indexSelect(axis: 0, index)
                let ones = Tensor.ones([batchSize, 1]), zeros = Tensor.zeros([batchSize, 1])
                // Discriminator: real → 1, generated → 0.
                let fake = generator(Tensor.normal([batchSize, latent], generator: &rng))
                let dLoss = binaryCrossEntropy(logits: discriminator(real), ones * 0.9)
                    + binaryCrossEntropy(logits: discriminator(fake.detach()), zeros)
                discriminator.zeroGrad()
                dLoss.backward()
                optimizerD.step()
                // Generator: make the discriminator say 1.
                let gLoss = binaryCrossEntropy(logits: discriminator(fake), ones)
                generator.zeroGrad()
                gLoss.backward()
                optimizerG.step()
                lossD += dLoss.item()
                lossG += gLoss.item()
            }
            print(String(format: "epoch %d/%d  D loss %.4f  G loss %.4f  (%.1f s)", epoch, epochs,
                         lossD / Float(steps), lossG / Float(steps), Date().timeIntervalSince(start)))
        }
        let samples = Tensor.withoutGrad { generator(fixedNoise) }
        let grid = PNGWriter.grid(((samples + 1) * 0.5).reshape([64, 28, 28]), columns: 8)
        try PNGWriter.write(grid, to: URL(fileURLWithPath: output))
        print("wrote \(output) (8×8 generated digits)")
    }
}
