import LeptonTensor

extension ONNXGraph {
    /// The same graph with every inference-mode `BatchNormalization` that follows a `Conv` folded
    /// into the convolution's weights and bias (ONNX Runtime's Conv+BatchNorm fusion): with
    /// `a = scale / √(var + ε)`, `W′ = W · a` per output channel and `B′ = (B − mean) · a + bias`.
    /// The map is then written once instead of normalised in four more passes. A pair is folded
    /// only when the convolution's output feeds that normalisation alone and is no graph output,
    /// and the weights and every statistic are float constants (initializers or `Constant` nodes)
    /// of matching sizes; anything
    /// else runs as written (and reports its own errors).
    func foldingBatchNorms() -> ONNXGraph {
        var consumers: [String: Int] = [:]
        for (_, node) in nodes { for name in node.input where !name.isEmpty { consumers[name, default: 0] += 1 } }
        let graphOutputs = Set(outputs.map(\.name))
        var constants: [String: ONNXValue] = [:]
        for (name, value) in initializers where value.elementType == .float { constants[name] = value }
        // Exporters (Paddle's among them) also store weights and statistics as Constant nodes.
        for (_, node) in nodes where node.opType == "Constant" && node.output.count == 1 && node.attribute.count == 1 {
            let attribute = node.attribute[0]
            if attribute.name == "value", attribute.type == .tensor, let value = try? attribute.t.value(context: "constant"),
               value.elementType == .float {
                constants[node.output[0]] = value
            }
        }
        var producer: [String: Int] = [:]
        for (position, (_, node)) in nodes.enumerated() { for name in node.output where !name.isEmpty { producer[name] = position } }

        var rewritten = nodes, removed = Set<Int>(), added: [(name: String, value: ONNXValue)] = []
        for (position, (index, bn)) in nodes.enumerated() where bn.opType == "BatchNormalization" {
            guard let folded = fold(bn, index: index, constants: constants, producer: producer, consumers: consumers,
                                    graphOutputs: graphOutputs, rewritten: rewritten) else { continue }
            rewritten[folded.conv].node = folded.node
            removed.insert(position)
            added += folded.initializers
        }
        guard !removed.isEmpty else { return self }
        return ONNXGraph(opset: opset, inputs: inputs, outputs: outputs, outputTypeDeclared: outputTypeDeclared,
                         initializers: initializers + added,
                         nodes: rewritten.enumerated().filter { !removed.contains($0.offset) }.map(\.element))
    }

    /// The convolution node (its position) rewritten to compute `bn`'s output, and the new
    /// initializers; nil when the pair does not fold.
    private func fold(_ bn: Onnx_NodeProto, index: Int, constants: [String: ONNXValue], producer: [String: Int],
                      consumers: [String: Int], graphOutputs: Set<String>,
                      rewritten: [(index: Int, node: Onnx_NodeProto)]) -> (conv: Int, node: Onnx_NodeProto, initializers: [(name: String, value: ONNXValue)])? {
        guard opset >= 9, bn.input.count == 5, bn.output.count >= 1, bn.output.dropFirst().allSatisfy(\.isEmpty),
              bn.attribute.allSatisfy({ ($0.name == "epsilon" && $0.type == .float) || ($0.name == "momentum")
                                        || ($0.name == "training_mode" && $0.i == 0) }),
              let at = producer[bn.input[0]], rewritten[at].node.opType == "Conv" else { return nil }
        var conv = rewritten[at].node
        guard conv.output.count == 1, conv.output[0] == bn.input[0], consumers[bn.input[0]] == 1, !graphOutputs.contains(bn.input[0]),
              conv.input.count >= 2, let w = constants[conv.input[1]], w.rank >= 3 else { return nil }
        let channels = w.shape[0]
        let stats = bn.input[1...4].map { constants[$0] }
        guard stats.allSatisfy({ $0?.rank == 1 && $0?.count == channels }) else { return nil }
        var bias: [Float]?
        if conv.input.count > 2 && !conv.input[2].isEmpty {
            guard let b = constants[conv.input[2]], b.rank == 1, b.count == channels else { return nil }
            bias = b.tensor.scalars
        }
        let epsilon = bn.attribute.first { $0.name == "epsilon" }?.f ?? 1e-5
        let (scale, shift, mean, variance) = (stats[0]!.tensor.scalars, stats[1]!.tensor.scalars,
                                              stats[2]!.tensor.scalars, stats[3]!.tensor.scalars)
        let factors: [Float] = (0..<channels).map { o in scale[o] / (variance[o] + epsilon).squareRoot() }
        var weights = w.tensor.scalars
        let perChannel = weights.count / max(channels, 1)
        for o in 0..<channels { for i in 0..<perChannel { weights[o * perChannel + i] *= factors[o] } }
        var folded = [Float](repeating: 0, count: channels)
        for o in 0..<channels {
            let centred: Float = (bias?[o] ?? 0) - mean[o]
            folded[o] = centred * factors[o] + shift[o]
        }
        let (wName, bName) = ("\(conv.input[1])::folded_bn_\(index)", "\(bn.output[0])::folded_bias_\(index)")
        conv.input = [conv.input[0], wName, bName]
        conv.output = [bn.output[0]]
        return (at, conv, [(wName, ONNXValue(float: Tensor(weights, shape: w.shape))),
                           (bName, ONNXValue(float: Tensor(folded, shape: [channels])))])
    }
}
