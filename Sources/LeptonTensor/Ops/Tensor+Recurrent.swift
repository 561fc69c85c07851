import CKernels

/// Fused recurrent sequences (simple RNN, LSTM, GRU): the whole time loop as one recorded op.
///
/// A recurrent layer unrolled into element-wise ops records a dozen graph nodes and as many
/// small tensors per time step. This op runs the loop itself, one `[batch, units] ·
/// [units, gates·units]` GEMM per step (through ``Backend/gemm(transposeA:transposeB:m:n:k:alpha:_:lda:_:ldb:beta:_:ldc:)``)
/// followed by one fused element-wise pass, and records a single node whose gradient rule
/// runs backpropagation through time with one GEMM per step, then one GEMM for the whole
/// recurrent-kernel gradient.

/// The cell a fused recurrent sequence runs, with its gate layout along the last axis of the
/// input projection and of the recurrent kernel (Keras's order).
public enum RecurrentCell: String, Sendable, Codable, CaseIterable {
    /// `h' = tanh(x + b + h·W)`; one gate.
    case rnnTanh
    /// `h' = relu(x + b + h·W)`; one gate.
    case rnnRelu
    /// LSTM, gates `[i, f, g, o]` (input, forget, cell candidate, output), as Keras and PyTorch:
    /// `c' = σ(f)·c + σ(i)·tanh(g)`, `h' = σ(o)·tanh(c')`.
    case lstm
    /// GRU with the reset gate applied after the recurrent product (PyTorch's `torch.nn.GRU`,
    /// Keras's `reset_after=True`), gates `[z, r, n]` (update, reset, candidate) in Keras's
    /// order: `z = σ(x_z + h·W_z + b̂_z)`, `r = σ(x_r + h·W_r + b̂_r)`,
    /// `n = tanh(x_n + r ⊙ (h·W_n + b̂_n))`, `h' = z·h + (1 − z)·n`, where `b̂` is the recurrent bias.
    case gru

    /// Number of gate blocks of `units` columns in the kernels.
    public var gates: Int {
        switch self {
        case .rnnTanh, .rnnRelu: return 1
        case .lstm: return 4
        case .gru: return 3
        }
    }

    /// Number of state tensors (`[h]`, or `[h, c]` for the LSTM).
    public var stateCount: Int { self == .lstm ? 2 : 1 }
}

/// How ``Tensor/recurrentSequence(_:inputProjection:recurrentKernel:bias:recurrentBias:initialStates:mask:options:)``
/// walks the time axis and what it returns.
public struct RecurrentSequenceOptions: Sendable, Equatable {
    /// Process the time steps from last to first (Keras's `go_backwards`).
    public var reverse: Bool
    /// With ``reverse``, store output `k` at position `k` of processing order (Keras's
    /// `go_backwards` layer output) instead of at its own time step (what `Bidirectional` needs).
    public var outputsInProcessingOrder: Bool
    /// Return the output of every step (`[batch, time, units]` block) or only the last one.
    public var returnSequences: Bool
    /// At masked steps, output zeros instead of repeating the previous output (Keras's
    /// `zero_output_for_mask`, which `Bidirectional` turns on for sequence outputs).
    public var zeroMaskedOutputs: Bool

    /// Options; the defaults are a forward pass returning every output, Keras's masking.
    public init(reverse: Bool = false, outputsInProcessingOrder: Bool = false, returnSequences: Bool = true,
                zeroMaskedOutputs: Bool = false) {
        self.reverse = reverse
        self.outputsInProcessingOrder = outputsInProcessingOrder
        self.returnSequences = returnSequences
        self.zeroMaskedOutputs = zeroMaskedOutputs
    }
}

extension Tensor {
    /// Runs a recurrent cell over a whole sequence as one op (forward and backpropagation
    /// through time are fused loops around one GEMM per step).
    ///
    /// - Parameters:
    ///   - cell: the cell and its gate order (see ``RecurrentCell``).
    ///   - inputProjection: `x · kernel` for every step, `[batch, time, gates·units]`.
    ///   - recurrentKernel: `[units, gates·units]`.
    ///   - bias: `[gates·units]`, added to the input projection (nil: none).
    ///   - recurrentBias: GRU only, `[gates·units]`, added to the recurrent product (inside the
    ///     reset gate for the candidate); nil: none.
    ///   - initialStates: `[h0]` (or `[h0, c0]` for the LSTM), each `[batch, units]`.
    ///   - mask: `[batch, time]`, nonzero for real steps and 0 for padding. At a masked step
    ///     the states carry over unchanged, and the output repeats the previous output (zeros
    ///     before the first real step), or is zero with ``RecurrentSequenceOptions/zeroMaskedOutputs``.
    ///   - options: direction and what to return.
    /// - Returns: `[batch, S + stateCount, units]`: positions `0..<S` hold the outputs (`S` is
    ///   `time` with ``RecurrentSequenceOptions/returnSequences``, else 1: the last output),
    ///   followed by the final `h` (and `c`). Slice the parts you need.
    public static func recurrentSequence(_ cell: RecurrentCell, inputProjection: Tensor, recurrentKernel: Tensor,
                                         bias: Tensor? = nil, recurrentBias: Tensor? = nil,
                                         initialStates: [Tensor], mask: Tensor? = nil,
                                         options: RecurrentSequenceOptions = .init()) -> Tensor {
        let op = "recurrentSequence"
        require(inputProjection.rank == 3 && inputProjection.dtype == .float32, op,
                "inputProjection must be float32 [batch, time, gates·units], got \(inputProjection.dtype) \(inputProjection.shape)")
        let (batch, time, width) = (inputProjection.shape[0], inputProjection.shape[1], inputProjection.shape[2])
        require(width % cell.gates == 0, op, "inputProjection width \(width) is not a multiple of \(cell.gates) gates")
        let units = width / cell.gates
        require(time >= 1, op, "the sequence has no time steps (shape \(inputProjection.shape))")
        require(recurrentKernel.shape == [units, width], op,
                "recurrentKernel has shape \(recurrentKernel.shape), expected \([units, width])")
        if let bias { require(bias.shape == [width], op, "bias has shape \(bias.shape), expected \([width])") }
        if let recurrentBias {
            require(cell == .gru, op, "only the GRU takes a recurrent bias")
            require(recurrentBias.shape == [width], op, "recurrentBias has shape \(recurrentBias.shape), expected \([width])")
        }
        require(initialStates.count == cell.stateCount, op,
                "\(cell) takes \(cell.stateCount) initial states, got \(initialStates.count)")
        for s in initialStates {
            require(s.shape == [batch, units] && s.dtype == .float32, op,
                    "initial state has shape \(s.shape), expected \([batch, units])")
        }
        if let mask {
            require(mask.shape == [batch, time] && mask.dtype == .float32, op,
                    "mask must be float32 \([batch, time]), got \(mask.dtype) \(mask.shape)")
        }
        let run = RecurrentRun(cell: cell, batch: batch, time: time, units: units, options: options,
                               backend: inputProjection.backend)
        let out = run.forward(inputProjection, recurrentKernel, bias, recurrentBias, initialStates, mask)
        var inputs = [inputProjection, recurrentKernel]
        if let bias { inputs.append(bias) }
        if let recurrentBias { inputs.append(recurrentBias) }
        inputs += initialStates
        let hasBias = bias != nil, hasRecurrentBias = recurrentBias != nil
        return record(op, out, inputs: inputs) { g in
            let r = run.backward(g, inputProjection: inputProjection, recurrentKernel: recurrentKernel,
                                 bias: bias, recurrentBias: recurrentBias, initialStates: initialStates, mask: mask)
            var grads: [Tensor?] = [r.input, r.kernel]
            if hasBias { grads.append(r.bias) }
            if hasRecurrentBias { grads.append(r.recurrentBias) }
            return grads + r.states
        }
    }
}

/// One recorded run of a fused recurrent sequence: the sizes, and the activations the
/// backward pass needs.
final class RecurrentRun {
    let cell: RecurrentCell
    let batch: Int, time: Int, units: Int, width: Int
    let options: RecurrentSequenceOptions
    let backend: any Backend
    /// Positions of outputs in the packed result.
    let outputSlots: Int
    /// Per-step values saved for backward, `[batch, time, savedWidth]`.
    let savedWidth: Int
    /// The state before each step, `[batch, time, units]` (h, and c for the LSTM).
    var hPrev: Tensor?
    var cPrev: Tensor?
    var saved: Tensor?

    init(cell: RecurrentCell, batch: Int, time: Int, units: Int, options: RecurrentSequenceOptions, backend: any Backend) {
        self.cell = cell
        self.batch = batch
        self.time = time
        self.units = units
        self.width = units * cell.gates
        self.options = options
        self.backend = backend
        self.outputSlots = options.returnSequences ? time : 1
        switch cell {
        case .rnnTanh, .rnnRelu: savedWidth = units          // h'
        case .lstm: savedWidth = 5 * units                   // σ(i), σ(f), tanh(g), σ(o), tanh(c')
        case .gru: savedWidth = 4 * units                    // z, r, n, h·W_n + b̂_n
        }
    }

    /// Time index processed at step `s`.
    @inline(__always) func timeAt(_ s: Int) -> Int { options.reverse ? time - 1 - s : s }

    /// Output slot of step `s` (time `t`) when sequences are returned.
    @inline(__always) func slotAt(_ s: Int, _ t: Int) -> Int { options.outputsInProcessingOrder ? s : t }

    func forward(_ xp: Tensor, _ w: Tensor, _ bias: Tensor?, _ recurrentBias: Tensor?, _ states: [Tensor],
                 _ mask: Tensor?) -> Tensor {
        let (B, T, U, GU) = (batch, time, units, width)
        let rows = outputSlots + cell.stateCount
        let out = Tensor.zeros([B, rows, U], backend: backend)
        let hPrev = Tensor(uninitializedShape: [B, T, U], backend: backend)
        let cPrev = cell == .lstm ? Tensor(uninitializedShape: [B, T, U], backend: backend) : nil
        let saved = Tensor(uninitializedShape: [B, T, savedWidth], backend: backend)
        let h = states[0].copy()
        let c = cell == .lstm ? states[1].copy() : nil
        let lastOut = mask != nil ? Tensor.zeros([B, U], backend: backend) : nil
        let z = Tensor(uninitializedShape: [B, GU], backend: backend)
        self.hPrev = hPrev; self.cPrev = cPrev; self.saved = saved

        let (ph, pz, pxp, pw, po, ps, php) = (h.floats, z.floats, xp.floats, w.floats, out.floats, saved.floats, hPrev.floats)
        let pc = c?.floats, pcp = cPrev?.floats, pm = mask?.floats, plast = lastOut?.floats
        let pb = bias?.floats, prb = recurrentBias?.floats
        let SW = savedWidth
        let grain = rowGrain
        for s in 0..<T {
            let t = timeAt(s)
            // The batch rows are independent within a step: each thread runs the product and
            // the cell for its own rows.
            Parallel.forRanges(B, grain: grain) { batchRows in
                for b in batchRows {
                    (php + (b * T + t) * U).update(from: ph + b * U, count: U)
                    if let pc, let pcp { (pcp + (b * T + t) * U).update(from: pc + b * U, count: U) }
                }
                backend.gemm(transposeA: false, transposeB: false, m: batchRows.count, n: GU, k: U, alpha: 1,
                             ph + batchRows.lowerBound * U, lda: U, pw, ldb: GU, beta: 0, pz + batchRows.lowerBound * GU,
                             ldc: GU)
                for b in batchRows {
                    let hb = ph + b * U
                    let outRow: UnsafeMutablePointer<Float>? = options.returnSequences ? po + (b * rows + slotAt(s, t)) * U : nil
                    if let pm, pm[b * T + t] == 0 {
                        if let outRow, !options.zeroMaskedOutputs, let plast { outRow.update(from: plast + b * U, count: U) }
                        continue
                    }
                    let zb = pz + b * GU, xb = pxp + (b * T + t) * GU, sv = ps + (b * T + t) * SW
                    switch cell {
                    case .rnnTanh, .rnnRelu:
                        RecurrentMath.addInto(zb, xb, pb, GU)
                        if cell == .rnnTanh { RecurrentMath.tanh(zb, U) } else { for u in 0..<U { zb[u] = Swift.max(zb[u], 0) } }
                        hb.update(from: zb, count: U)
                        sv.update(from: zb, count: U)
                    case .lstm:
                        let cb = pc! + b * U
                        RecurrentMath.addInto(zb, xb, pb, GU)
                        RecurrentMath.sigmoid(zb, 2 * U)
                        RecurrentMath.tanh(zb + 2 * U, U)
                        RecurrentMath.sigmoid(zb + 3 * U, U)
                        sv.update(from: zb, count: 4 * U)
                        let tc = sv + 4 * U
                        for u in 0..<U {
                            let cn = zb[U + u] * cb[u] + zb[u] * zb[2 * U + u]
                            cb[u] = cn
                            tc[u] = cn
                        }
                        RecurrentMath.tanh(tc, U)
                        for u in 0..<U { hb[u] = zb[3 * U + u] * tc[u] }
                    case .gru:
                        // Recurrent part plus its bias, kept for n; input part plus bias.
                        if let prb { for j in 0..<GU { zb[j] += prb[j] } }
                        let hn = sv + 3 * U
                        hn.update(from: zb + 2 * U, count: U)
                        for j in 0..<(2 * U) { zb[j] += xb[j] + (pb?[j] ?? 0) }
                        RecurrentMath.sigmoid(zb, 2 * U)
                        let nb = zb + 2 * U
                        for u in 0..<U { nb[u] = xb[2 * U + u] + (pb?[2 * U + u] ?? 0) + zb[U + u] * hn[u] }
                        RecurrentMath.tanh(nb, U)
                        sv.update(from: zb, count: 3 * U)
                        for u in 0..<U {
                            let zu = zb[u]
                            hb[u] = zu * hb[u] + (1 - zu) * nb[u]
                        }
                    }
                    if let plast { (plast + b * U).update(from: hb, count: U) }
                    if let outRow { outRow.update(from: hb, count: U) }
                }
            }
        }
        for b in 0..<B {
            let row = po + b * rows * U
            if !options.returnSequences { row.update(from: (plast ?? ph) + b * U, count: U) }
            (row + outputSlots * U).update(from: ph + b * U, count: U)
            if let pc { (row + (outputSlots + 1) * U).update(from: pc + b * U, count: U) }
        }
        return out
    }

    struct Gradients {
        var input: Tensor?
        var kernel: Tensor?
        var bias: Tensor?
        var recurrentBias: Tensor?
        var states: [Tensor?]
    }

    func backward(_ g: Tensor, inputProjection: Tensor, recurrentKernel w: Tensor, bias: Tensor?, recurrentBias: Tensor?,
                  initialStates: [Tensor], mask: Tensor?) -> Gradients {
        let (B, T, U, GU) = (batch, time, units, width)
        let rows = outputSlots + cell.stateCount
        let SW = savedWidth
        let dx = Tensor(uninitializedShape: [B, T, GU], backend: backend)
        // The GRU's recurrent product gets a different gradient (the candidate's is scaled by r).
        let dRec = cell == .gru ? Tensor(uninitializedShape: [B, T, GU], backend: backend) : dx
        let dh = Tensor(uninitializedShape: [B, U], backend: backend)
        let dc = cell == .lstm ? Tensor(uninitializedShape: [B, U], backend: backend) : nil
        let carry = Tensor.zeros([B, U], backend: backend)
        let dhTotal = Tensor(uninitializedShape: [B, U], backend: backend)
        let (pg, pdx, pdr, pdh, pcarry, pdtAll) = (g.floats, dx.floats, dRec.floats, dh.floats, carry.floats, dhTotal.floats)
        let pdc = dc?.floats, pm = mask?.floats
        let ps = saved!.floats, php = hPrev!.floats, pcp = cPrev?.floats, pw = w.floats
        for b in 0..<B {
            let row = pg + b * rows * U
            (pdh + b * U).update(from: row + outputSlots * U, count: U)
            if let pdc { (pdc + b * U).update(from: row + (outputSlots + 1) * U, count: U) }
            if !options.returnSequences { (pcarry + b * U).update(from: row, count: U) }
        }
        // The gradient of the previous output flows through `carry` across masked steps.
        let usesCarry = mask != nil || !options.returnSequences
        let grain = rowGrain
        for s in stride(from: T - 1, through: 0, by: -1) {
            let t = timeAt(s)
            Parallel.forRanges(B, grain: grain) { batchRows in
                for b in batchRows {
                    let dxb = pdx + (b * T + t) * GU, drb = pdr + (b * T + t) * GU, pdt = pdtAll + b * U
                    let gOut: UnsafeMutablePointer<Float>? = options.returnSequences ? pg + (b * rows + slotAt(s, t)) * U : nil
                    let cb = pcarry + b * U, dhb = pdh + b * U
                    if let pm, pm[b * T + t] == 0 {
                        dxb.update(repeating: 0, count: GU)
                        if cell == .gru { drb.update(repeating: 0, count: GU) }
                        if let gOut, !options.zeroMaskedOutputs { for u in 0..<U { cb[u] += gOut[u] } }
                        continue
                    }
                    for u in 0..<U { pdt[u] = dhb[u] }
                    if usesCarry {
                        for u in 0..<U { pdt[u] += cb[u]; cb[u] = 0 }
                    }
                    if let gOut { for u in 0..<U { pdt[u] += gOut[u] } }
                    let sv = ps + (b * T + t) * SW
                    switch cell {
                    case .rnnTanh:
                        for u in 0..<U { let y = sv[u]; dxb[u] = pdt[u] * (1 - y * y) }
                        dhb.update(repeating: 0, count: U)
                    case .rnnRelu:
                        for u in 0..<U { dxb[u] = sv[u] > 0 ? pdt[u] : 0 }
                        dhb.update(repeating: 0, count: U)
                    case .lstm:
                        let dcb = pdc! + b * U, cprev = pcp! + (b * T + t) * U
                        for u in 0..<U {
                            let i = sv[u], f = sv[U + u], gg = sv[2 * U + u], o = sv[3 * U + u], tc = sv[4 * U + u]
                            let dht = pdt[u]
                            let dct = dcb[u] + dht * o * (1 - tc * tc)
                            dxb[u] = dct * gg * i * (1 - i)
                            dxb[U + u] = dct * cprev[u] * f * (1 - f)
                            dxb[2 * U + u] = dct * i * (1 - gg * gg)
                            dxb[3 * U + u] = dht * tc * o * (1 - o)
                            dcb[u] = dct * f
                        }
                        dhb.update(repeating: 0, count: U)
                    case .gru:
                        let hprev = php + (b * T + t) * U
                        for u in 0..<U {
                            let zz = sv[u], r = sv[U + u], n = sv[2 * U + u], hn = sv[3 * U + u]
                            let dht = pdt[u]
                            let dnPre = dht * (1 - zz) * (1 - n * n)
                            let dzPre = dht * (hprev[u] - n) * zz * (1 - zz)
                            let drPre = dnPre * hn * r * (1 - r)
                            dxb[u] = dzPre; dxb[U + u] = drPre; dxb[2 * U + u] = dnPre
                            drb[u] = dzPre; drb[U + u] = drPre; drb[2 * U + u] = dnPre * r
                            dhb[u] = dht * zz
                        }
                    }
                }
                // dh_{t−1} += dZ_t · Wᵀ (masked rows of dZ are zero, so their dh passes through).
                backend.gemm(transposeA: false, transposeB: true, m: batchRows.count, n: U, k: GU, alpha: 1,
                             pdr + (batchRows.lowerBound * T + t) * GU, lda: T * GU, pw, ldb: GU, beta: 1,
                             pdh + batchRows.lowerBound * U, ldc: U)
            }
        }
        var result = Gradients(states: [])
        result.input = inputProjection.requiresGrad ? dx : nil
        if w.requiresGrad {
            let dw = Tensor(uninitializedShape: [U, GU], backend: backend)
            backend.gemm(transposeA: true, transposeB: false, m: U, n: GU, k: B * T, alpha: 1, php, lda: U, pdr, ldb: GU,
                         beta: 0, dw.floats, ldc: GU)
            result.kernel = dw
        }
        if let bias, bias.requiresGrad { result.bias = Self.columnSums(dx, rows: B * T, columns: GU) }
        if let recurrentBias, recurrentBias.requiresGrad { result.recurrentBias = Self.columnSums(dRec, rows: B * T, columns: GU) }
        result.states = [initialStates[0].requiresGrad ? dh : nil]
        if let dc { result.states.append(initialStates[1].requiresGrad ? dc : nil) }
        return result
    }

    static func columnSums(_ x: Tensor, rows: Int, columns: Int) -> Tensor {
        let out = Tensor.zeros([columns], backend: x.backend)
        if rows > 0 { x.backend.reduce(.sum, x.floats, outer: 1, reduced: rows, inner: columns, out.floats) }
        return out
    }

    /// Batch rows per thread in one time step: at least about 2¹⁷ multiply-adds of the
    /// recurrent product each.
    var rowGrain: Int { Swift.max(1, (1 << 17) / Swift.max(1, width * units)) }
}

/// Vectorised element-wise functions of the fused recurrent loops (public for the quantised
/// recurrent layers of LeptonCompress, whose gates must compute exactly as these do).
public enum RecurrentMath {
    /// `z[j] += x[j] + bias[j]` (bias optional).
    @inline(__always)
    static func addInto(_ z: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?, _ n: Int) {
        if let bias {
            for j in 0..<n { z[j] += x[j] + bias[j] }
        } else {
            for j in 0..<n { z[j] += x[j] }
        }
    }

    /// `eˣ` to float32 accuracy (Cephes polynomial, round-to-nearest range reduction written
    /// with SSE2-friendly operations so that loops over it vectorise).
    @inline(__always)
    static func exp(_ v: Float) -> Float {
        let x0 = Swift.min(Swift.max(v, -87.3), 88.3)
        let magic: Float = 12_582_912   // 1.5·2²³: adding it rounds to an integer
        let shifted = x0 * 1.44269504088896341 + magic
        let fx = shifted - magic
        let n = Int32(bitPattern: shifted.bitPattern) &- Int32(bitPattern: magic.bitPattern)
        var x = x0 - fx * 0.693359375
        x = x + fx * 2.12194440e-4
        var p: Float = 1.9875691500e-4
        p = p * x + 1.3981999507e-3
        p = p * x + 8.3334519073e-3
        p = p * x + 4.1665795894e-2
        p = p * x + 1.6666665459e-1
        p = p * x + 5.0000001201e-1
        let y = p * (x * x) + x + 1
        return y * Float(bitPattern: UInt32(bitPattern: (n &+ 127) &<< 23))
    }

    /// Logistic sigmoid of `n` values in place, with ``exp(_:)``'s polynomial (in C, built for
    /// the CPU: ``KernelPath``).
    public static func sigmoid(_ p: UnsafeMutablePointer<Float>, _ n: Int) {
        lepton_sigmoid(KernelPath.current.code, p, p, Int64(n))
    }
    /// Hyperbolic tangent of `n` values in place, `1 − 2 / (e²ˣ + 1)` (in C, built for the CPU).
    public static func tanh(_ p: UnsafeMutablePointer<Float>, _ n: Int) {
        lepton_tanh(KernelPath.current.code, p, p, Int64(n))
    }
}
