/// Layer normalisation over the last axis as one fused op, with a fused gradient.
extension Tensor {
    /// `(x − mean) / √(var + ε) · gamma + beta`, with the mean and biased variance taken over
    /// the last axis (`torch.nn.functional.layer_norm` over the last dimension).
    ///
    /// - Parameters:
    ///   - gamma: optional scale of shape `[D]`, where `D` is the last dimension.
    ///   - beta: optional offset of shape `[D]`.
    ///   - epsilon: added to the variance before the square root.
    public func layerNorm(gamma: Tensor? = nil, beta: Tensor? = nil, epsilon: Float = 1e-5) -> Tensor {
        require(dtype == .float32, "layerNorm", "expected a float32 tensor, got \(dtype)")
        require(rank >= 1, "layerNorm", "expected a tensor of rank ≥ 1, got a scalar")
        let cols = shape[rank - 1]
        let rows = cols == 0 ? 0 : count / cols
        for (name, p) in [("gamma", gamma), ("beta", beta)] {
            guard let p else { continue }
            require(p.dtype == .float32 && p.count == cols && p.rank == 1, "layerNorm",
                    "\(name) has shape \(p.shape), expected [\(cols)]")
        }
        let out = Tensor(uninitializedShape: shape, backend: backend)
        let mean = Tensor(uninitializedShape: [rows], backend: backend)
        let rstd = Tensor(uninitializedShape: [rows], backend: backend)
        if rows > 0 {
            backend.layerNorm(floats, gamma: gamma.map { UnsafePointer($0.floats) },
                              beta: beta.map { UnsafePointer($0.floats) }, rows: rows, cols: cols,
                              epsilon: epsilon, out.floats, mean: mean.floats, rstd: rstd.floats)
        }
        let x = self
        var inputs = [x]
        if let gamma { inputs.append(gamma) }
        if let beta { inputs.append(beta) }
        return Tensor.record("layerNorm", out, inputs: inputs) { g in
            let b = x.backend
            let dx = x.requiresGrad ? Tensor(uninitializedShape: x.shape, backend: b) : nil
            // The kernel accumulates into dgamma and dbeta: zeroed first (in a gradient destination if any).
            let dgamma = gamma.flatMap { $0.requiresGrad ? Tensor.gradientBuffer(for: $0) : nil }
            let dbeta = beta.flatMap { $0.requiresGrad ? Tensor.gradientBuffer(for: $0) : nil }
            for d in [dgamma, dbeta] { if let d { b.fill(d.floats, count: d.count, value: 0) } }
            if rows > 0 {
                b.layerNormBackward(x.floats, dy: g.floats, gamma: gamma.map { UnsafePointer($0.floats) },
                                    mean: mean.floats, rstd: rstd.floats, rows: rows, cols: cols,
                                    dx: dx?.floats, dgamma: dgamma?.floats, dbeta: dbeta?.floats)
            }
            var grads: [Tensor?] = [dx]
            if gamma != nil { grads.append(dgamma) }
            if beta != nil { grads.append(dbeta) }
            return grads
        }
    }
}
