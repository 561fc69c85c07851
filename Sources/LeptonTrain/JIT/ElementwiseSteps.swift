import LeptonNN
import LeptonTensor

/// A lowered ``LeptonNN/Activation`` layer: the function into its output, its gradient in place
/// on the incoming gradient (softmax: into the input's gradient).
final class ActivationStep: StepNode {
    let activation: StepActivation
    let x: Int, y: Int
    let dy: Int?, dx: Int?
    let count: Int, columns: Int

    init(_ activation: StepActivation, x: Int, y: Int, dy: Int?, dx: Int?, count: Int, columns: Int) {
        (self.activation, self.x, self.y, self.dy, self.dx, self.count, self.columns) = (activation, x, y, dy, dx, count, columns)
    }

    var label: String { "activation\(activation.name)" }
    var forwardValues: [Int] { [x, y] }
    var backwardValues: [Int] { [y] + [dy, dx].compactMap { $0 } }

    func forward(_ run: StepRun) {
        activation.apply(run.backend, run.floats(x), run.floats(y), count: count, columns: columns)
    }

    func backward(_ run: StepRun) {
        guard let dy, let dx else { return }
        let into = run.floats(dx)
        let g = activation.gradient(run.backend, y: run.floats(y), dy: run.floats(dy), dx: into, count: count, columns: columns)
        if g != into { into.update(from: g, count: count) }
    }
}

/// A lowered ``LeptonNN/Dropout`` in a training step: the mask drawn from the layer's own
/// generator exactly as the eager layer draws it (so both give the same masks), the input
/// times the mask, and the gradient times the mask. In evaluation mode the output is a copy.
final class DropoutStep: StepNode {
    let layer: Dropout
    let x: Int, y: Int, mask: Int
    let dy: Int?, dx: Int?
    let count: Int
    private var masked = false

    init(_ layer: Dropout, x: Int, y: Int, mask: Int, dy: Int?, dx: Int?, count: Int) {
        (self.layer, self.x, self.y, self.mask, self.dy, self.dx, self.count) = (layer, x, y, mask, dy, dx, count)
    }

    var label: String { "dropout \(layer.rate)" }
    var forwardValues: [Int] { [x, y, mask] }
    var backwardValues: [Int] { [mask] + [dy, dx].compactMap { $0 } }

    func forward(_ run: StepRun) {
        let out = run.floats(y), input = run.floats(x)
        masked = layer.isTraining && layer.rate > 0
        guard masked else {
            out.update(from: input, count: count)
            return
        }
        let m = run.floats(mask)
        var generator = layer.randomState
        Tensor.drawDropoutMask(m, count: count, rate: layer.rate, generator: &generator)
        layer.randomState = generator
        run.backend.binary(.mul, input, aStrides: [1], m, bStrides: [1], out, shape: [count])
    }

    func backward(_ run: StepRun) {
        guard let dy, let dx else { return }
        if masked {
            run.backend.binary(.mul, run.floats(dy), aStrides: [1], run.floats(mask), bStrides: [1], run.floats(dx), shape: [count])
        } else if dy != dx {
            run.floats(dx).update(from: run.floats(dy), count: count)
        }
    }
}
