import LeptonNN
import LeptonTensor

/// Captures a ``LeptonNN/Sequential`` model's step for one input shape: a trace of the layers on
/// the batch gives every shape and mask, each layer that can be lowered becomes a node on
/// planned memory (neighbouring ones fused: bias and activation into the GEMM or convolution, a
/// 2×2 max pooling into the convolution at inference, reshapes into views), the rest stay as
/// eager islands, and one ``BufferPlan`` places every activation, gradient and scratch value.
struct StepCompiler {
    let model: Sequential
    /// A training step (forward and backward) or an inference step (forward, evaluation mode).
    let training: Bool

    /// What one layer (or a fused pair) became.
    private enum Segment {
        case lowered(Lowering, layers: Range<Int>)
        case eager(Range<Int>)

        var layers: Range<Int> {
            switch self {
            case .lowered(_, let layers), .eager(let layers): return layers
            }
        }
    }

    /// A lowerable layer with what its node needs from the trace.
    private enum Lowering {
        case dense(Dense, StepActivation, inputs: Int)
        case convolution(Conv2D, Conv2DParameters)
        case pooling(Pool2DParameters, channels: Int)
        case activation(StepActivation, columns: Int)
        case dropout(Dropout)
        /// Flatten, Reshape, the identity: the output is a view of the input.
        case view
    }

    /// The compiled step for `input` (a batch of the shape it will run on).
    func compile(for input: Tensor) -> CompiledStep {
        let trace = traceShapes(input)
        let segments = segment(trace)
        var graph = StepGraph()
        // Boundary b is the input of segment b; the last one is the prediction.
        var activations = [graph.value(input.shape, external: true)]
        for (s, segment) in segments.enumerated() {
            let shape = trace.outputs[segment.layers.upperBound - 1]
            switch segment {
            case .lowered(.view, _): activations.append(graph.alias(of: activations[s], shape: shape))
            case .lowered: activations.append(graph.value(shape))
            case .eager: activations.append(graph.value(shape, external: true))
            }
        }
        let hasParameters = segments.map { seg in seg.layers.contains { !model.layers[$0].namedParameters().isEmpty } }
        var gradients = [Int?](repeating: nil, count: activations.count)
        if training {
            // Boundary b > 0 needs a gradient when a segment before it has parameters.
            var needed = [false]
            for b in 1..<activations.count { needed.append(needed[b - 1] || hasParameters[b - 1]) }
            // From the prediction back: the loss's gradient comes from outside; a view's input
            // gradient is a view of its output's; an island's input gradient comes from autodiff.
            if needed.last! {
                gradients[activations.count - 1] = graph.value(trace.outputs.last!, external: true)
            }
            for s in segments.indices.reversed() where needed[s] {
                let shape = graph.values[activations[s]].shape
                switch segments[s] {
                case .lowered(.view, _):
                    gradients[s] = graph.alias(of: gradients[s + 1]!, shape: shape)   // needed after s too
                case .lowered: gradients[s] = graph.value(shape)
                case .eager: gradients[s] = graph.value(shape, external: true)
                }
            }
        }
        var nodes: [StepNode] = []
        for (s, segment) in segments.enumerated() {
            let (x, y, dy, dx) = (activations[s], activations[s + 1], gradients[s + 1], gradients[s])
            switch segment {
            case .eager(let range):
                nodes.append(EagerIsland(Array(model.layers[range]), x: x, y: y, dy: dy, dx: dx))
            case .lowered(let lowering, _):
                if let node = makeNode(lowering, x: x, y: y, dy: dy, dx: dx, graph: &graph) { nodes.append(node) }
            }
        }
        // A ReLU convolution's gradient is masked on the max-pooled map after it, not on its own.
        for (conv, pool) in zip(nodes, nodes.dropFirst()) {
            if let conv = conv as? ConvolutionStep, let pool = pool as? PoolingStep, conv.parameters.fusedReLU,
               !conv.parameters.fusedMaxPool, pool.parameters.kind == .max, pool.dx != nil, pool.x == conv.y {
                (conv.reluMaskedDownstream, pool.masksReLU) = (true, true)
            }
        }
        // Schedule: forward passes at 0..<n, the loss at n, backward passes from n + 1 in reverse.
        let n = nodes.count
        for (k, node) in nodes.enumerated() {
            graph.use(node.forwardValues, at: k)
            if training { graph.use(node.backwardValues, at: 2 * n - k) }
        }
        graph.use([activations.last!] + [gradients.last!].compactMap { $0 }, at: n)
        let run = StepRun(graph: graph, plan: BufferPlan(graph), backend: input.backend)
        return CompiledStep(model: model, nodes: nodes, run: run, input: activations[0],
                            output: activations.last!, outputGradient: gradients.last!)
    }

    private func makeNode(_ lowering: Lowering, x: Int, y: Int, dy: Int?, dx: Int?, graph: inout StepGraph) -> StepNode? {
        let shape = graph.values[y].shape, count = Shape.count(shape)
        switch lowering {
        case .view:
            return nil
        case .dense(let layer, let activation, let inputs):
            let dz = dy != nil && activation.needsSeparateGradient ? graph.value(shape) : nil
            return DenseStep(layer, activation: activation, x: x, y: y, dy: dy, dz: dz, dx: dx,
                             rows: count / layer.units, inputs: inputs)
        case .convolution(let layer, let parameters):
            return ConvolutionStep(layer, parameters: parameters, x: x, y: y, dy: dy, dx: dx)
        case .pooling(let parameters, let channels):
            let indices = dx != nil && parameters.kind == .max ? graph.value(shape) : nil
            return PoolingStep(parameters: parameters, channels: channels, x: x, y: y, indices: indices, dy: dy, dx: dx)
        case .activation(let activation, let columns):
            return ActivationStep(activation, x: x, y: y, dy: dy, dx: dx, count: count, columns: columns)
        case .dropout(let layer):
            return DropoutStep(layer, x: x, y: y, mask: graph.value(shape), dy: dy, dx: dx, count: count)
        }
    }

    // MARK: Trace

    /// Each layer's input and output on the batch, and whether it receives a mask.
    private struct Trace {
        var inputs: [Tensor] = []
        var outputs: [[Int]] = []
        var masked: [Bool] = []
    }

    /// Runs the layers once on `input` in evaluation mode without recording (no dropout mask is
    /// drawn, no batch-norm statistic moves), as ``LeptonNN/Sequential`` does.
    private func traceShapes(_ input: Tensor) -> Trace {
        let modes = model.namedModules().map { ($0.1, $0.1.isTraining) }
        model.eval()
        defer { for (module, training) in modes { module.train(training) } }
        var trace = Trace()
        Tensor.withoutGrad {
            var x = input, mask: Tensor?
            for layer in model.layers {
                trace.inputs.append(x)
                trace.masked.append(mask != nil)
                let y = layer.applied(to: x, mask: mask)
                mask = layer.propagatedMask(for: x, mask: mask)
                trace.outputs.append(y.shape)
                x = y
            }
        }
        return trace
    }

    // MARK: Lowering

    /// Consecutive layers that cannot be lowered form one island; a layer that receives a mask
    /// joins the island of the layer that made it. A layer sharing a parameter with another (one
    /// layer applied twice, tied weights) stays eager, so that the tape sums its gradients.
    private func segment(_ trace: Trace) -> [Segment] {
        var owners: [ObjectIdentifier: Int] = [:]
        for layer in model.layers {
            for (_, p) in layer.namedParameters() { owners[ObjectIdentifier(p), default: 0] += 1 }
        }
        let shares = model.layers.map { layer in layer.namedParameters().contains { owners[ObjectIdentifier($0.1)]! > 1 } }
        var segments: [Segment] = []
        var i = 0
        while i < model.layers.count {
            if !trace.masked[i], !shares[i], let (lowering, width) = lower(i, trace), !shares[i..<(i + width)].contains(true) {
                segments.append(.lowered(lowering, layers: i..<(i + width)))
                i += width
                continue
            }
            if case .eager(let range)? = segments.last, range.upperBound == i {
                segments[segments.count - 1] = .eager(range.lowerBound..<(i + 1))
            } else {
                segments.append(.eager(i..<(i + 1)))
            }
            i += 1
        }
        return segments
    }

    /// The node for layer `i` and how many layers it covers, or nil to run it eagerly.
    private func lower(_ i: Int, _ trace: Trace) -> (Lowering, Int)? {
        let layer = model.layers[i], x = trace.inputs[i]
        guard x.dtype == .float32, type(of: layer) != Sequential.self else { return nil }
        switch layer {
        case let dense as Dense:
            guard let activation = StepActivation(dense.activation), let kernel = dense.kernel, x.rank >= 2,
                  x.shape.last == kernel.shape[0] else { return nil }
            return (.dense(dense, activation, inputs: kernel.shape[0]), 1)
        case let conv as Conv2D:
            guard conv.dataFormat == .channelsLast, conv.activation == .relu || conv.activation == .linear,
                  let kernel = conv.kernel, x.rank == 4 else { return nil }
            let (pt, pb) = conv.padding.amounts(input: x.shape[1], kernel: conv.kernelSize[0], stride: conv.strides[0], dilation: conv.dilation[0])
            let (pl, pr) = conv.padding.amounts(input: x.shape[2], kernel: conv.kernelSize[1], stride: conv.strides[1], dilation: conv.dilation[1])
            var p = x.conv2dParameters(kernel, channelsLast: true, stride: conv.strides, padding: [pt, pb, pl, pr],
                                       dilation: conv.dilation, groups: conv.groups)
            p.fusedReLU = conv.activation == .relu
            // At inference a 2×2 max pooling after it runs inside the convolution, as in Sequential.
            if !training, i + 1 < model.layers.count, let pool = model.layers[i + 1] as? MaxPooling2D,
               pool.poolSize == [2, 2], pool.strides == [2, 2], pool.padding == .valid, pool.dataFormat == .channelsLast,
               p.outHeight >= 2, p.outWidth >= 2 {
                p.fusedMaxPool = true
                return (.convolution(conv, p), 2)
            }
            return (.convolution(conv, p), 1)
        case let pool as Pooling2D:
            guard pool.dataFormat == .channelsLast, pool.padding == .valid, x.rank == 4 else { return nil }
            let p = Pool2DParameters(kind: pool.isMax ? .max : .average, planes: x.shape[0], height: x.shape[1], width: x.shape[2],
                                     kernelHeight: pool.poolSize[0], kernelWidth: pool.poolSize[1],
                                     strideHeight: pool.strides[0], strideWidth: pool.strides[1])
            return (.pooling(p, channels: x.shape[3]), 1)
        case let activation as Activation:
            guard let step = StepActivation(activation.function), x.rank >= 1 else { return nil }
            return (step == .identity ? .view : .activation(step, columns: x.shape.last!), 1)
        case let dropout as Dropout:
            return (training && dropout.rate > 0 ? .dropout(dropout) : .view, 1)
        case is Flatten, is Reshape:
            return (.view, 1)
        default:
            return nil
        }
    }
}
