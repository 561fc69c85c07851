import LeptonNN
import LeptonTensor

/// A ``LeptonNN/Sequential`` model's training or inference step captured for one input shape
/// by ``StepCompiler``: its nodes run in order on one planned arena, the loss and any eager
/// islands through autodiff, and the optimizer's update over the gradients the nodes wrote.
final class CompiledStep: CustomStringConvertible {
    /// The layers captured (the step is compiled again when the model's layers change).
    let layers: [ObjectIdentifier]
    let nodes: [StepNode]
    let run: StepRun
    let input: Int, output: Int
    /// The prediction's gradient (nil when no layer has parameters).
    let outputGradient: Int?

    init(model: Sequential, nodes: [StepNode], run: StepRun, input: Int, output: Int, outputGradient: Int?) {
        layers = model.layers.map(ObjectIdentifier.init)
        (self.nodes, self.run, self.input, self.output, self.outputGradient) = (nodes, run, input, output, outputGradient)
    }

    /// Whether `model` still has the layers this step captured.
    func matches(_ model: Sequential) -> Bool {
        model.layers.count == layers.count && zip(model.layers, layers).allSatisfy { ObjectIdentifier($0) == $1 }
    }

    /// Nodes that run without the eager tape.
    var loweredCount: Int { nodes.filter { !($0 is EagerIsland) }.count }

    /// One line per node, then the arena's size.
    var description: String {
        (nodes.map(\.label) + ["arena \(run.arenaBytes) bytes"]).joined(separator: "; ")
    }

    /// One optimisation step on a batch: forward, loss, backward, the optimizer's update
    /// (the step of `fit`, ``TrainableModel/standardTrainStep(x:y:)``).
    func train(x: Tensor, y: Tensor, loss: LossFunction, optimizer: Optimizer) -> (loss: Float, prediction: Tensor) {
        defer { run.clearExternals() }
        run.setExternal(input, x)
        for node in nodes { node.forward(run) }
        let prediction = run.tensor(output).detach()
        let leaf = outputGradient == nil ? prediction : prediction.detach().requiringGrad()
        let value = loss(leaf, y)
        optimizer.zeroGrad()
        if let outputGradient {
            value.backward()
            run.setExternal(outputGradient, leaf.grad ?? Tensor.zeros(leaf.shape, backend: leaf.backend))
            for node in nodes.reversed() { node.backward(run) }
            for node in nodes {
                for (parameter, gradient) in node.parameterGradients { parameter.grad = gradient }
            }
        }
        optimizer.step()
        return (value.item(), prediction.copy())
    }

    /// The model's output for a batch, in evaluation mode without recording.
    func infer(_ x: Tensor) -> Tensor {
        defer { run.clearExternals() }
        run.setExternal(input, x)
        for node in nodes { node.forward(run) }
        let out = run.tensor(output)
        return run.isPlanned(output) ? out.copy() : out
    }
}
