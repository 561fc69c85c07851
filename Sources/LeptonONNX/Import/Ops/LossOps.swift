import LeptonTensor

/// Training losses that appear in exported graphs: `NegativeLogLikelihoodLoss` and
/// `SoftmaxCrossEntropyLoss` (class weights, `ignore_index`, `none`/`sum`/`mean` reductions,
/// extra spatial axes). The log-softmax runs on Lepton's op; the gathering on the host.
extension ONNXOperators {
    static var losses: [String: ONNXKernelBuilder] {
        ["NegativeLogLikelihoodLoss": lossOp(softmax: false), "SoftmaxCrossEntropyLoss": lossOp(softmax: true)]
    }

    static func lossOp(softmax: Bool) -> ONNXKernelBuilder {
        { ctx in
            try ctx.expect(inputs: 2...3, outputs: 1...(softmax ? 2 : 1))
            let type = try ctx.type(0, in: ONNXElementType.floatingTypes)
            try ctx.type(1, in: [.int32, .int64])
            if ctx.has(2) { guard try ctx.type(2) == type else { throw ctx.error("weights must have the input's type \(type)") } }
            let reduction = try ctx.choice("reduction", ["mean", "none", "sum"])
            let ignored = try ctx.int("ignore_index")
            return ONNXKernel(outputTypes: [type, type]) { inputs in
                let (scores, target) = (inputs[0]!, inputs[1]!)
                let weight = inputs.count > 2 ? inputs[2] : nil
                guard scores.rank >= 2, target.shape == [scores.shape[0]] + Array(scores.shape[2...]) else {
                    throw ONNXError("input \(scores.shape) must be [N, C, d…] and target \(target.shape) [N, d…]")
                }
                let c = scores.shape[1]
                if let weight, weight.shape != [c] { throw ONNXError("weights have shape \(weight.shape), expected [\(c)]") }
                let logProb = softmax ? scores.tensor.logSoftmax(axis: 1) : scores.tensor
                let inner = Shape.count(Array(scores.shape[2...]))
                let (values, labels) = (logProb.scalars, target.ints)
                let weights = weight?.floats
                var losses = [Float](repeating: 0, count: labels.count)
                var weightSum: Double = 0
                for (i, label) in labels.enumerated() {
                    if let ignored, label == ignored { continue }
                    guard label >= 0 && label < c else { throw ONNXError("target \(label) at position \(i) is out of range 0..<\(c)") }
                    let (n, rest) = (i / Swift.max(inner, 1), i % Swift.max(inner, 1))
                    let w = weights?[label] ?? 1
                    losses[i] = -values[(n * c + label) * inner + rest] * w
                    weightSum += Double(w)
                }
                let loss: ONNXValue
                switch reduction {
                case "none": loss = .floats(losses, shape: target.shape, type: type)
                case "sum": loss = .floats([Float(losses.reduce(0.0) { $0 + Double($1) })], shape: [], type: type)
                default: loss = .floats([Float(losses.reduce(0.0) { $0 + Double($1) } / weightSum)], shape: [], type: type)
                }
                return [loss, scores.with(logProb)]
            }
        }
    }
}
