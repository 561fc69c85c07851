import LeptonTensor

/// Normalisation: `BatchNormalization` (inference, and training mode with updated running
/// statistics), `LayerNormalization` (Lepton's fused op over the last axis), `InstanceNormalization`,
/// `GroupNormalization`, `RMSNormalization`, `LpNormalization`, `MeanVarianceNormalization`,
/// `LRN`, all composed from differentiable tensor ops.
extension ONNXOperators {
    static var normalization: [String: ONNXKernelBuilder] {
        [
            "BatchNormalization": batchNorm, "LayerNormalization": layerNorm, "InstanceNormalization": instanceNorm,
            "GroupNormalization": groupNorm, "RMSNormalization": rmsNorm, "LpNormalization": lpNorm,
            "MeanVarianceNormalization": meanVarianceNorm, "LRN": lrn,
        ]
    }

    /// `[C]` reshaped to broadcast along axis 1 of a rank-`rank` tensor.
    static func channelwise(_ t: Tensor, rank: Int) -> Tensor {
        t.reshape([1, t.count] + Array(repeating: 1, count: Swift.max(rank - 2, 0)))
    }

    static let batchNorm: ONNXKernelBuilder = { ctx in
        guard ctx.opset >= 6 else { throw ctx.error("BatchNormalization before opset 6 is not supported") }
        let epsilon = try ctx.float("epsilon", default: 1e-5), momentum = try ctx.float("momentum", default: 0.9)
        var training = false
        if ctx.opset < 9 {
            guard try ctx.int("spatial", default: 1) == 1 else { throw ctx.error("attribute 'spatial' 0 (per-activation statistics) is not supported") }
        }
        if ctx.opset < 7 { training = try ctx.int("is_test", default: 0) == 0 && ctx.outputCount > 1 }
        if ctx.opset >= 14 { training = try ctx.int("training_mode", default: 0, in: 0...1) == 1 }
        try ctx.expect(inputs: 5...5, outputs: 1...(ctx.opset >= 14 ? 3 : 5))
        if !training && ctx.outputCount > 1 && (1..<ctx.outputCount).contains(where: { ctx.outputUsed($0) }) {
            throw ctx.error("statistics outputs are only computed in training mode")
        }
        if ctx.opset < 14 && training { throw ctx.error("training-mode BatchNormalization is supported from opset 14") }
        let type = try ctx.type(0, in: ONNXElementType.floatingTypes)
        for i in 1...4 { try ctx.type(i, in: ONNXElementType.floatingTypes) }
        return ONNXKernel(outputTypes: [type, try ctx.type(3), try ctx.type(4)]) { inputs in
            let x = inputs[0]!
            guard x.rank >= 2 else { throw ONNXError("input must be [N, C, …], got \(x.shape)") }
            let c = x.shape[1]
            for (i, name) in [(1, "scale"), (2, "B"), (3, "input_mean"), (4, "input_var")] where inputs[i]!.count != c || inputs[i]!.rank != 1 {
                throw ONNXError("\(name) has shape \(inputs[i]!.shape), expected [\(c)]")
            }
            let (scale, bias) = (channelwise(inputs[1]!.tensor, rank: x.rank), channelwise(inputs[2]!.tensor, rank: x.rank))
            if !training {
                let (mean, variance) = (channelwise(inputs[3]!.tensor, rank: x.rank), channelwise(inputs[4]!.tensor, rank: x.rank))
                return [x.with((x.tensor - mean) / (variance + epsilon).sqrt() * scale + bias)]
            }
            let axes = [0] + Array(2..<x.rank)
            let mean = x.tensor.mean(axes: axes, keepDims: true)
            let variance = x.tensor.variance(axes: axes, keepDims: true)
            let y = (x.tensor - mean) / (variance + epsilon).sqrt() * scale + bias
            let runningMean = inputs[3]!.tensor * momentum + mean.reshape([c]) * (1 - momentum)
            let runningVar = inputs[4]!.tensor * momentum + variance.reshape([c]) * (1 - momentum)
            return [x.with(y), inputs[3]!.with(runningMean), inputs[4]!.with(runningVar)]
        }
    }

    static let layerNorm: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...3, outputs: 1...3)
        let type = try ctx.type(0, in: ONNXElementType.floatingTypes)
        try ctx.type(1, in: ONNXElementType.floatingTypes)
        if ctx.has(2) { try ctx.type(2, in: ONNXElementType.floatingTypes) }
        let axis = try ctx.int("axis", default: -1), epsilon = try ctx.float("epsilon", default: 1e-5)
        _ = try ctx.int("stash_type", default: 1, in: 1...1)
        let statistics = ctx.outputUsed(1) || ctx.outputUsed(2)
        return ONNXKernel(outputTypes: [type, .float, .float]) { inputs in
            let x = inputs[0]!, scale = inputs[1]!
            let bias = inputs.count > 2 ? inputs[2] : nil
            let a = try resolveAxis(axis, rank: x.rank)
            let normalized = Array(x.shape[a...])
            for (name, p) in [("Scale", scale), ("B", bias)] {
                guard let p else { continue }
                guard try broadcastShape([normalized, p.shape]) == normalized, p.rank <= normalized.count else {
                    throw ONNXError("\(name) has shape \(p.shape), which does not broadcast to the normalised axes \(normalized)")
                }
            }
            let (rows, cols) = (Shape.count(Array(x.shape[..<a])), Shape.count(normalized))
            guard cols > 0 else { throw ONNXError("the normalised axes \(normalized) are empty") }
            let y: Tensor
            if a == x.rank - 1 && scale.shape == [cols] && (bias == nil || bias!.shape == [cols]) {
                y = x.tensor.layerNorm(gamma: scale.tensor, beta: bias?.tensor, epsilon: epsilon)
            } else {
                let plain = x.tensor.reshape([rows, cols]).layerNorm(epsilon: epsilon).reshape(x.shape)
                y = bias.map { plain * scale.tensor + $0.tensor } ?? plain * scale.tensor
            }
            var outputs = [x.with(y)]
            if statistics {
                let kept = Array(x.shape[..<a]) + Array(repeating: 1, count: x.rank - a)
                let flat = x.tensor.detach().reshape([rows, cols])
                let mean = flat.mean(axes: [1], keepDims: true)
                let inverse = 1 / (flat.variance(axes: [1], keepDims: true) + epsilon).sqrt()
                outputs += [ONNXValue(mean.reshape(kept), elementType: .float), ONNXValue(inverse.reshape(kept), elementType: .float)]
            }
            return outputs
        }
    }

    /// `(x − mean) / √(var + ε)` over `axes`.
    static func standardize(_ x: Tensor, axes: [Int], epsilon: Float) -> Tensor {
        (x - x.mean(axes: axes, keepDims: true)) / (x.variance(axes: axes, keepDims: true) + epsilon).sqrt()
    }

    static let instanceNorm: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 3...3)
        let type = try ctx.sameType([0, 1, 2])
        try ctx.type(0, in: ONNXElementType.floatingTypes)
        let epsilon = try ctx.float("epsilon", default: 1e-5)
        return ONNXKernel(type) { inputs in
            let (x, scale, bias) = (inputs[0]!, inputs[1]!, inputs[2]!)
            guard x.rank >= 3, x.shape[2...].allSatisfy({ $0 > 0 }) else { throw ONNXError("input must be [N, C, spatial…], got \(x.shape)") }
            guard scale.shape == [x.shape[1]], bias.shape == [x.shape[1]] else {
                throw ONNXError("scale \(scale.shape) and B \(bias.shape) must be [\(x.shape[1])]")
            }
            let y = standardize(x.tensor, axes: Array(2..<x.rank), epsilon: epsilon)
            return x.with(y * channelwise(scale.tensor, rank: x.rank) + channelwise(bias.tensor, rank: x.rank))
        }
    }

    static let groupNorm: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 3...3)
        let type = try ctx.sameType([0, 1, 2])
        try ctx.type(0, in: ONNXElementType.floatingTypes)
        let epsilon = try ctx.float("epsilon", default: 1e-5)
        guard let groups = try ctx.int("num_groups"), groups > 0 else { throw ctx.error("attribute 'num_groups' must be a positive integer") }
        if ctx.opset >= 21 { _ = try ctx.int("stash_type", default: 1, in: 1...1) }
        let perChannel = ctx.opset >= 21
        return ONNXKernel(type) { inputs in
            let (x, scale, bias) = (inputs[0]!, inputs[1]!, inputs[2]!)
            guard x.rank >= 3, x.shape[1] % groups == 0, x.count > 0 else {
                throw ONNXError("input must be [N, C, spatial…] with C divisible by num_groups \(groups), got \(x.shape)")
            }
            let (n, c) = (x.shape[0], x.shape[1])
            let expected = perChannel ? c : groups
            guard scale.shape == [expected], bias.shape == [expected] else {
                throw ONNXError("scale \(scale.shape) and bias \(bias.shape) must be [\(expected)]")
            }
            let grouped = standardize(x.tensor.reshape([n, groups, -1]), axes: [2], epsilon: epsilon).reshape(x.shape)
            var (s, b) = (scale.tensor, bias.tensor)
            if !perChannel {
                s = s.reshape([groups, 1]).expand(to: [groups, c / groups]).reshape([c])
                b = b.reshape([groups, 1]).expand(to: [groups, c / groups]).reshape([c])
            }
            return x.with(grouped * channelwise(s, rank: x.rank) + channelwise(b, rank: x.rank))
        }
    }

    static let rmsNorm: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 2...2)
        let type = try ctx.type(0, in: ONNXElementType.floatingTypes)
        try ctx.type(1, in: ONNXElementType.floatingTypes)
        let axis = try ctx.int("axis", default: -1), epsilon = try ctx.float("epsilon", default: 1e-5)
        _ = try ctx.int("stash_type", default: 1, in: 1...1)
        return ONNXKernel(type) { inputs in
            let (x, scale) = (inputs[0]!, inputs[1]!)
            let a = try resolveAxis(axis, rank: x.rank)
            guard try broadcastShape([x.shape, scale.shape]) == x.shape else {
                throw ONNXError("scale \(scale.shape) does not broadcast to the input \(x.shape)")
            }
            let rms = (x.tensor.square().mean(axes: Array(a..<x.rank), keepDims: true) + epsilon).sqrt()
            return x.with(x.tensor / rms * scale.tensor)
        }
    }

    static let lpNorm: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...1)
        let type = try ctx.type(0, in: ONNXElementType.floatingTypes)
        let axis = try ctx.int("axis", default: -1), p = try ctx.int("p", default: 2, in: 1...2)
        return ONNXKernel(type) { inputs in
            let x = inputs[0]!
            let a = try resolveAxis(axis, rank: x.rank)
            let norm = p == 1 ? x.tensor.abs().sum(axes: [a], keepDims: true) : x.tensor.square().sum(axes: [a], keepDims: true).sqrt()
            // A zero norm gives zeros, not 0/0.
            return x.with(Tensor.where(norm.equal(0), Tensor(0), x.tensor / norm))
        }
    }

    static let meanVarianceNorm: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...1)
        let type = try ctx.type(0, in: ONNXElementType.floatingTypes)
        let axes = try ctx.ints("axes") ?? [0, 2, 3]
        return ONNXKernel(type) { inputs in
            let x = inputs[0]!
            let resolved = try axes.map { try resolveAxis($0, rank: x.rank) }
            guard Set(resolved).count == resolved.count else { throw ONNXError("axes \(axes) repeat an axis") }
            let mean = x.tensor.mean(axes: resolved, keepDims: true)
            let std = (x.tensor.square().mean(axes: resolved, keepDims: true) - mean.square()).clamp(min: 0).sqrt()
            return x.with((x.tensor - mean) / (std + 1e-9))
        }
    }

    static let lrn: ONNXKernelBuilder = { ctx in
        try ctx.expect(inputs: 1...1)
        let type = try ctx.type(0, in: ONNXElementType.floatingTypes)
        let alpha = try ctx.float("alpha", default: 1e-4), beta = try ctx.float("beta", default: 0.75)
        let bias = try ctx.float("bias", default: 1)
        guard let size = try ctx.int("size"), size > 0 else { throw ctx.error("attribute 'size' must be a positive integer") }
        return ONNXKernel(type) { inputs in
            let x = inputs[0]!
            guard x.rank >= 3 else { throw ONNXError("input must be [N, C, spatial…], got \(x.shape)") }
            let c = x.shape[1]
            let (before, after) = ((size - 1) / 2, (size - 1) - (size - 1) / 2)
            // Σ x² over the channel window: pad the channel axis and add shifted slices.
            let squared = x.tensor.square().pad([(0, 0), (before, after)])
            var sum = squared.slice(axis: 1, start: 0, end: c)
            for k in 1..<Swift.max(size, 1) { sum = sum + squared.slice(axis: 1, start: k, end: k + c) }
            return x.with(x.tensor / (sum * (alpha / Float(size)) + bias).pow(beta))
        }
    }
}
