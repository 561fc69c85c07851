/// One recorded op: its inputs and the rule that turns the gradient of its output into
/// gradients of its inputs (nil where an input needs none).
final class GradNode {
    let op: String
    private(set) var inputs: [Tensor]
    private var rule: ((Tensor) -> [Tensor?])?

    init(op: String, inputs: [Tensor], rule: @escaping (Tensor) -> [Tensor?]) {
        self.op = op
        self.inputs = inputs
        self.rule = rule
    }

    /// Applies the gradient rule.
    func gradients(_ outputGradient: Tensor) -> [Tensor?] {
        guard let rule else {
            fatalError("backward: the graph through '\(op)' was already freed by an earlier backward(); "
                       + "pass retainGraph: true to backpropagate through it twice")
        }
        return rule(outputGradient)
    }

    /// Drops the inputs and the rule, freeing the memory they hold.
    func release() {
        rule = nil
        inputs = []
    }
}

extension Tensor {
    /// Attaches a gradient rule to `output` when recording is on and an input requires
    /// gradients; returns `output`. The rule receives the gradient of `output` and returns one
    /// gradient (or nil) per input, each of that input's shape.
    ///
    /// Rules must not capture `output` itself (that would keep it alive in a cycle); capture
    /// `output.detach()` when the rule needs the forward result.
    @inline(__always)
    static func record(_ op: String, _ output: Tensor, inputs: [Tensor],
                       _ rule: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return output }
        output.requiresGrad = true
        output.gradNode = GradNode(op: op, inputs: inputs, rule: rule)
        return output
    }
}
