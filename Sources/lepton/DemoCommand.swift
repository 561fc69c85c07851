import ArgumentParser
import Foundation
import LeptonTensor

/// `lepton demo`: trains a small network with autodiff on two interleaved spirals and prints
/// its loss falling — a check that tensors, the backend and backpropagation work end to end.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Train a two-layer network on two spirals with autodiff and print the loss falling."
    )

    @Option(help: "Training steps (full-batch gradient descent).")
    var steps: Int = 1000

    @Option(help: "Learning rate.")
    var learningRate: Float = 0.5

    @Option(help: "Hidden units.")
    var hidden: Int = 64

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard (1...10_000_000).contains(steps) else { throw ValidationError("--steps: expected an integer in 1...10000000, got \(steps)") }
        guard (1...4096).contains(hidden) else { throw ValidationError("--hidden: expected an integer in 1...4096, got \(hidden)") }
        guard learningRate > 0, learningRate.isFinite else {
            throw ValidationError("--learning-rate: expected a positive number, got \(learningRate)")
        }
    }

    func run() throws {
        common.apply()
        var rng = RandomGenerator(seed: common.seed ?? 7)
        let (x, y) = Self.spirals(pointsPerClass: 200, generator: &rng)
        let w1 = (Tensor.normal([2, hidden], generator: &rng) * Float(1.0 / 2.0.squareRoot())).detach().requiringGrad()
        let b1 = Tensor.zeros([hidden]).requiringGrad()
        let w2 = (Tensor.normal([hidden, hidden], generator: &rng) * (1 / Float(hidden).squareRoot())).detach().requiringGrad()
        let b2 = Tensor.zeros([hidden]).requiringGrad()
        let w3 = (Tensor.normal([hidden, 2], generator: &rng) * (1 / Float(hidden).squareRoot())).detach().requiringGrad()
        let b3 = Tensor.zeros([2]).requiringGrad()
        let parameters = [w1, b1, w2, b2, w3, b3]
        let labels = Tensor.oneHot(y, classes: 2)
        print("Training a 2-\(hidden)-\(hidden)-2 network on \(x.shape[0]) spiral points (backend: \(x.backend.name), threads: \(Lepton.threadCount))")
        let start = Date()
        for step in 0...steps {
            let hidden1 = (x.matmul(w1) + b1).tanh()
            let hidden2 = (hidden1.matmul(w2) + b2).tanh()
            let logits = hidden2.matmul(w3) + b3
            let loss = -(logits.logSoftmax() * labels).sum(axis: -1).mean()
            for p in parameters { p.zeroGrad() }
            loss.backward()
            Tensor.withoutGrad {
                for p in parameters { p.assign(p - p.grad! * learningRate) }
            }
            if step % (steps / 10) == 0 || step == steps {
                let predicted = logits.argmax(axis: -1).int32Scalars
                let correct = zip(predicted, y.int32Scalars).filter { $0 == $1 }.count
                let accuracy = Double(correct) / Double(predicted.count)
                print(String(format: "step %4d  loss %.4f  accuracy %.3f", step, loss.item(), accuracy))
            }
        }
        print(String(format: "done in %.2f s", Date().timeIntervalSince(start)))
    }

    /// Two interleaved spirals with a little noise; labels 0 and 1.
    static func spirals(pointsPerClass n: Int, generator: inout RandomGenerator) -> (Tensor, Tensor) {
        var points: [Float] = [], labels: [Int32] = []
        for cls in 0..<2 {
            for i in 0..<n {
                let r = Float(i) / Float(n) * 1.0 + 0.05
                let theta = Float(i) / Float(n) * 9 + Float(cls) * .pi + 0.15 * generator.nextNormal()
                points += [r * cos(theta), r * sin(theta)]
                labels.append(Int32(cls))
            }
        }
        return (Tensor(points, shape: [2 * n, 2]), Tensor(int32: labels, shape: [2 * n]))
    }
}
