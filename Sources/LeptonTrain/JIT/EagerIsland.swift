import LeptonNN
import LeptonTensor

/// Layers a compiled step runs eagerly — a graph break, as `torch.compile` makes one around
/// code it cannot capture: their forward records on the autodiff tape as usual, and their
/// backward is that tape's, started from the gradient the lowered nodes after them computed.
/// Parameters inside get their gradients from autodiff; the island hands its input's gradient
/// to the lowered nodes before it. Layers passing a mask on (``LeptonNN/MaskAware``) stay
/// together in one island, with the mask flowing as in ``LeptonNN/Sequential``.
final class EagerIsland: StepNode {
    let layers: [Module]
    let x: Int, y: Int
    let dy: Int?, dx: Int?
    private var input: Tensor?
    private var output: Tensor?

    init(_ layers: [Module], x: Int, y: Int, dy: Int?, dx: Int?) {
        (self.layers, self.x, self.y, self.dy, self.dx) = (layers, x, y, dy, dx)
    }

    var label: String { "eager " + layers.map { String(describing: type(of: $0)) }.joined(separator: ", ") }
    var forwardValues: [Int] { [x, y] }
    // The tape keeps views of the input for the backward pass: its memory lives until then.
    var backwardValues: [Int] { [x] + [dy, dx].compactMap { $0 } }

    func forward(_ run: StepRun) {
        var t = run.tensor(x)
        if dx != nil { t = t.detach().requiringGrad() }
        var mask: Tensor?
        if dy != nil { input = t }
        for layer in layers {
            let out = layer.applied(to: t, mask: mask)
            mask = layer.propagatedMask(for: t, mask: mask)
            t = out
        }
        if dy != nil { output = t }
        run.setExternal(y, t)
    }

    func backward(_ run: StepRun) {
        defer { (input, output) = (nil, nil) }
        guard let dy, let output, output.requiresGrad else { return }
        output.backward(run.tensor(dy))
        if let dx, let input {
            run.setExternal(dx, input.grad ?? Tensor.zeros(input.shape, backend: input.backend))
        }
    }
}
