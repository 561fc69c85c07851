import LeptonTensor

/// `LSTM`, `GRU` and `RNN`: forward, reverse and bidirectional, both layouts, initial states,
/// per-sequence lengths, peepholes, `clip`, `linear_before_reset`, and the ONNX activation
/// functions. Each time step is a handful of Lepton tensor ops (one GEMM for all input
/// projections, one per step for the recurrence), so gradients flow through time.
extension ONNXOperators {
    static var recurrent: [String: ONNXKernelBuilder] {
        ["LSTM": recurrentOp(.lstm), "GRU": recurrentOp(.gru), "RNN": recurrentOp(.rnn)]
    }

    enum RecurrentKind {
        case lstm, gru, rnn
        var gates: Int { self == .lstm ? 4 : (self == .gru ? 3 : 1) }
        var activationCount: Int { self == .lstm ? 3 : (self == .gru ? 2 : 1) }
        var defaultActivations: [String] { self == .lstm ? ["Sigmoid", "Tanh", "Tanh"] : (self == .gru ? ["Sigmoid", "Tanh"] : ["Tanh"]) }
    }

    /// An ONNX recurrent activation by name, taking its alpha and beta from the front of the lists.
    static func recurrentActivation(_ name: String, alphas: inout ArraySlice<Float>, betas: inout ArraySlice<Float>,
                                    ctx: ONNXNodeContext) throws -> (Tensor) -> Tensor {
        func take(_ list: inout ArraySlice<Float>, _ fallback: Float) -> Float { list.isEmpty ? fallback : list.removeFirst() }
        switch name.lowercased() {
        case "sigmoid": return { $0.sigmoid() }
        case "tanh": return { $0.tanh() }
        case "relu": return { $0.relu() }
        case "softsign": return { $0 / ($0.abs() + 1) }
        case "softplus": return { $0.softplus() }
        case "leakyrelu": let a = take(&alphas, 0.01); return { $0.leakyRelu(a) }
        case "thresholdedrelu": let a = take(&alphas, 1); return { $0 * $0.greater(a) }
        case "elu": let a = take(&alphas, 1); return { $0.elu(a) }
        case "hardsigmoid":
            let (a, b) = (take(&alphas, 0.2), take(&betas, 0.5))
            return { ($0 * a + b).clamp(min: 0, max: 1) }
        case "affine":
            let (a, b) = (take(&alphas, 1), take(&betas, 0))
            return { $0 * a + b }
        case "scaledtanh":
            let (a, b) = (take(&alphas, 1), take(&betas, 1))
            return { ($0 * b).tanh() * a }
        default: throw ctx.error("activation '\(name)' is not one Lepton implements for recurrent ops")
        }
    }

    static func recurrentOp(_ kind: RecurrentKind) -> ONNXKernelBuilder {
        { ctx in
            try ctx.expect(inputs: 3...(kind == .lstm ? 8 : 6), outputs: 0...(kind == .lstm ? 3 : 2))
            let type = try ctx.sameType([0, 1, 2, 3] + (kind == .lstm ? [5, 6, 7] : [5]))
            try ctx.type(0, in: ONNXElementType.floatingTypes)
            if ctx.has(4) { try ctx.type(4, in: [.int32]) }
            guard let hidden = try ctx.int("hidden_size"), hidden > 0 else { throw ctx.error("attribute 'hidden_size' must be a positive integer") }
            let direction = try ctx.choice("direction", ["forward", "reverse", "bidirectional"])
            let directions = direction == "bidirectional" ? 2 : 1
            let layout = ctx.opset >= 14 ? try ctx.int("layout", default: 0, in: 0...1) : 0
            let clip = try ctx.float("clip")
            if kind == .lstm, try ctx.int("input_forget", default: 0) != 0 { throw ctx.error("attribute 'input_forget' 1 is not supported") }
            let beforeReset = kind == .gru ? try ctx.int("linear_before_reset", default: 0, in: 0...1) == 1 : false
            let names = try ctx.strings("activations") ?? Array(repeating: kind.defaultActivations, count: directions).flatMap { $0 }
            guard names.count == kind.activationCount * directions else {
                throw ctx.error("attribute 'activations' lists \(names.count) functions, expected \(kind.activationCount * directions)")
            }
            var alphas = ArraySlice(try ctx.floats("activation_alpha") ?? []), betas = ArraySlice(try ctx.floats("activation_beta") ?? [])
            let activations = try names.map { try recurrentActivation($0, alphas: &alphas, betas: &betas, ctx: ctx) }
            let cell = RecurrentCellSpec(kind: kind, hidden: hidden, clip: clip, linearBeforeReset: beforeReset)
            // Lepton's fused sequence op runs the default LSTM, and the GRU with the reset gate after the product.
            let defaults = names.map { $0.lowercased() } == Array(repeating: kind.defaultActivations, count: directions).flatMap { $0 }.map { $0.lowercased() }
            let fusable = defaults && clip == nil && (kind == .lstm || (kind == .gru && beforeReset))
            return ONNXKernel(outputTypes: [type, type, type]) { inputs in
                let x = inputs[0]!
                guard x.rank == 3 else { throw ONNXError("X must be 3-D, got \(x.shape)") }
                let xs = layout == 0 ? x.tensor : x.tensor.permute([1, 0, 2])
                let (steps, batch, features) = (xs.shape[0], xs.shape[1], xs.shape[2])
                let g = kind.gates * hidden
                func check(_ i: Int, _ name: String, _ shape: [Int]) throws -> Tensor? {
                    guard i < inputs.count, let v = inputs[i] else { return nil }
                    guard v.shape == shape else { throw ONNXError("\(name) has shape \(v.shape), expected \(shape)") }
                    return v.tensor
                }
                let w = try check(1, "W", [directions, g, features])!, r = try check(2, "R", [directions, g, hidden])!
                let b = try check(3, "B", [directions, 2 * g])
                let stateShape = layout == 0 ? [directions, batch, hidden] : [batch, directions, hidden]
                let h0 = try check(5, "initial_h", stateShape).map { layout == 0 ? $0 : $0.permute([1, 0, 2]) }
                let c0 = kind == .lstm ? try check(6, "initial_c", stateShape).map { layout == 0 ? $0 : $0.permute([1, 0, 2]) } : nil
                let p = kind == .lstm ? try check(7, "P", [directions, 3 * hidden]) : nil
                var mask: [Tensor]?
                if inputs.count > 4, let lengths = inputs[4] {
                    guard lengths.shape == [batch], lengths.ints.allSatisfy({ $0 >= 0 && $0 <= steps }) else {
                        throw ONNXError("sequence_lens \(lengths.ints) must give one length in 0...\(steps) per batch entry (\(batch))")
                    }
                    let l = lengths.ints
                    mask = (0..<steps).map { t in Tensor(l.map { t < $0 ? 1 : 0 }, shape: [batch, 1]) }
                }
                var outputs: [Tensor] = [], finalH: [Tensor] = [], finalC: [Tensor] = []
                for d in 0..<directions {
                    let reverse = direction == "reverse" || d == 1
                    let acts = Array(activations[(d * kind.activationCount)..<((d + 1) * kind.activationCount)])
                    let (wd, rd, bd) = (w[.at(d)], r[.at(d)], b?[.at(d)])
                    let (hd, cd) = (h0?[.at(d)] ?? Tensor.zeros([batch, hidden]), c0?[.at(d)] ?? Tensor.zeros([batch, hidden]))
                    let run = fusable && p == nil && mask == nil && steps > 0
                        ? cell.fused(xs, w: wd, r: rd, b: bd, h0: hd, c0: cd, reverse: reverse)
                        : cell.run(xs, w: wd, r: rd, b: bd, h0: hd, c0: cd, peephole: p?[.at(d)], mask: mask, reverse: reverse, activations: acts)
                    outputs.append(run.y)
                    finalH.append(run.h)
                    finalC.append(run.c)
                }
                // Y: [steps, directions, batch, hidden]; Y_h, Y_c: [directions, batch, hidden].
                var y = Tensor.stack(outputs, axis: 1), yh = Tensor.stack(finalH, axis: 0), yc = Tensor.stack(finalC, axis: 0)
                if layout == 1 { y = y.permute([2, 0, 1, 3]); yh = yh.permute([1, 0, 2]); yc = yc.permute([1, 0, 2]) }
                return [x.with(y), x.with(yh), x.with(yc)]
            }
        }
    }
}

/// One direction of a recurrent op unrolled over time with Lepton's tensor ops.
struct RecurrentCellSpec {
    let kind: ONNXOperators.RecurrentKind
    let hidden: Int
    let clip: Float?
    let linearBeforeReset: Bool

    /// Runs over `x` `[steps, batch, features]`; returns every output `[steps, batch, hidden]`
    /// (zero past a sequence's length) and the final states.
    func run(_ x: Tensor, w: Tensor, r: Tensor, b: Tensor?, h0: Tensor, c0: Tensor, peephole: Tensor?, mask: [Tensor]?,
             reverse: Bool, activations: [(Tensor) -> Tensor]) -> (y: Tensor, h: Tensor, c: Tensor) {
        let (steps, batch, features) = (x.shape[0], x.shape[1], x.shape[2])
        // No time steps: no outputs, and the final states are the initial ones (as ONNX Runtime gives).
        guard steps > 0 else { return (Tensor.zeros([0, batch, hidden]), h0, c0) }
        let g = kind.gates * hidden
        var projected = x.reshape([steps * batch, features]).matmul(transposed: w)
        if let b { projected = projected + b.slice(axis: 0, start: 0, end: g) }
        projected = projected.reshape([steps, batch, g])
        let recurrentBias = b?.slice(axis: 0, start: g, end: 2 * g)
        let rt = r.transposed()
        func clipped(_ t: Tensor) -> Tensor { clip.map { t.clamp(min: -$0, max: $0) } ?? t }
        func gate(_ t: Tensor, _ k: Int) -> Tensor { t.slice(axis: 1, start: k * hidden, end: (k + 1) * hidden) }
        var (h, c) = (h0, c0)
        var outputs = [Tensor?](repeating: nil, count: steps)
        for step in 0..<steps {
            let t = reverse ? steps - 1 - step : step
            let xt = projected[SliceSpec.at(t)]
            var newH: Tensor, newC = c
            switch kind {
            case .lstm:
                var z = xt + h.matmul(rt)
                if let recurrentBias { z = z + recurrentBias }
                var (i, o, f, candidate) = (gate(z, 0), gate(z, 1), gate(z, 2), gate(z, 3))
                if let peephole {
                    i = i + gate(peephole.reshape([1, 3 * hidden]), 0) * c
                    f = f + gate(peephole.reshape([1, 3 * hidden]), 2) * c
                }
                newC = activations[0](clipped(f)) * c + activations[0](clipped(i)) * activations[1](clipped(candidate))
                if let peephole { o = o + gate(peephole.reshape([1, 3 * hidden]), 1) * newC }
                newH = activations[0](clipped(o)) * activations[2](newC)
            case .gru:
                let rx = rt.slice(axis: 1, start: 0, end: 2 * hidden)
                var zr = gate(xt, 0).concatenated(with: gate(xt, 1)) + h.matmul(rx)
                if let recurrentBias { zr = zr + recurrentBias.slice(axis: 0, start: 0, end: 2 * hidden) }
                let update = activations[0](clipped(gate(zr, 0))), reset = activations[0](clipped(gate(zr, 1)))
                let rh = rt.slice(axis: 1, start: 2 * hidden, end: 3 * hidden)
                let bh = recurrentBias?.slice(axis: 0, start: 2 * hidden, end: 3 * hidden)
                var candidate: Tensor
                if linearBeforeReset {
                    let hr = bh.map { h.matmul(rh) + $0 } ?? h.matmul(rh)
                    candidate = gate(xt, 2) + reset * hr
                } else {
                    candidate = gate(xt, 2) + (reset * h).matmul(rh)
                    if let bh { candidate = candidate + bh }
                }
                let n = activations[1](clipped(candidate))
                newH = (1 - update) * n + update * h
            case .rnn:
                var z = xt + h.matmul(rt)
                if let recurrentBias { z = z + recurrentBias }
                newH = activations[0](clipped(z))
            }
            if let mask {
                let m = mask[t]
                outputs[t] = newH * m
                newH = newH * m + h * (1 - m)
                newC = newC * m + c * (1 - m)
            } else {
                outputs[t] = newH
            }
            (h, c) = (newH, newC)
        }
        return (Tensor.stack(outputs.map { $0! }, axis: 0), h, c)
    }
}

extension RecurrentCellSpec {
    /// The same computation on Lepton's fused recurrent-sequence op (one recorded op with
    /// backpropagation through time): the default LSTM, or the GRU with `linear_before_reset`.
    /// ONNX's gate blocks (LSTM `i, o, f, c`; GRU `z, r, h`) are reordered to Lepton's.
    func fused(_ x: Tensor, w: Tensor, r: Tensor, b: Tensor?, h0: Tensor, c0: Tensor, reverse: Bool) -> (y: Tensor, h: Tensor, c: Tensor) {
        let (steps, batch, features) = (x.shape[0], x.shape[1], x.shape[2])
        let width = kind.gates * hidden
        let order = kind == .lstm ? [0, 2, 3, 1] : [0, 1, 2]
        func reorder(_ t: Tensor) -> Tensor {
            Tensor.concatenate(order.map { t.slice(axis: 0, start: $0 * hidden, end: ($0 + 1) * hidden) }, axis: 0)
        }
        let projection = x.permute([1, 0, 2]).reshape([batch * steps, features]).matmul(transposed: reorder(w))
            .reshape([batch, steps, width])
        var bias: Tensor?, recurrentBias: Tensor?
        if let b {
            let (wb, rb) = (reorder(b.slice(axis: 0, start: 0, end: width)), reorder(b.slice(axis: 0, start: width, end: 2 * width)))
            if kind == .lstm { bias = wb + rb } else { (bias, recurrentBias) = (wb, rb) }
        }
        let out = Tensor.recurrentSequence(kind == .lstm ? .lstm : .gru, inputProjection: projection,
                                           recurrentKernel: reorder(r).transposed(), bias: bias, recurrentBias: recurrentBias,
                                           initialStates: kind == .lstm ? [h0, c0] : [h0],
                                           options: RecurrentSequenceOptions(reverse: reverse))
        let y = out.slice(axis: 1, start: 0, end: steps).permute([1, 0, 2])
        let h = out.slice(axis: 1, start: steps, end: steps + 1).squeeze(1)
        let c = kind == .lstm ? out.slice(axis: 1, start: steps + 1, end: steps + 2).squeeze(1) : c0
        return (y, h, c)
    }
}

extension Tensor {
    /// `[a, b]` joined along axis 1.
    func concatenated(with other: Tensor) -> Tensor { Tensor.concatenate([self, other], axis: 1) }
}
