import LeptonNN
import LeptonTensor

/// A ``SimpleRNN``, ``LSTM`` or ``GRU`` with dynamic int8 quantisation (PyTorch's
/// `quantize_dynamic` of `nn.LSTM`/`nn.GRU`): both weight matrices are per-channel symmetric
/// `int8` (``inputProjection``, ``recurrentProjection``), the input projection of every step is
/// one int8 product over `[batch·time, features]` with the input quantised once per call, and
/// each step quantises its `[batch, units]` hidden state on its own range before the recurrent
/// product. Gates, states and activations stay float32, with the float layer's arithmetic.
///
/// Masks follow the float layer (``RecurrentLayer``): at a masked step the states carry over and
/// the output repeats the previous one (or is zero with ``zeroOutputForMask``). Inference only.
///
/// ```swift
/// let int8 = DynamicQuantizedRecurrent(lstm)   // a built LSTM
/// let last = int8(x)                            // [batch, units]
/// ```
public final class DynamicQuantizedRecurrent: Module, MaskAware {
    /// The cell (and so the gate layout, ``RecurrentCell``).
    public let cell: RecurrentCell
    public let units: Int
    public let inputDimensions: Int
    /// Return every step's output (`[batch, time, units]`) or only the last (`[batch, units]`).
    public let returnSequences: Bool
    /// Process the sequence from its last step to its first (Keras's `go_backwards`).
    public let goBackwards: Bool
    /// Output zeros at masked steps instead of repeating the previous output.
    public var zeroOutputForMask = false
    /// `x · kernel + bias`: `[gates·units, features]` int8 rows.
    public let inputProjection: DynamicQuantizedDense
    /// `h · recurrentKernel` (+ the GRU's recurrent bias): `[gates·units, units]` int8 rows.
    public let recurrentProjection: DynamicQuantizedDense
    /// The int8 kernels both products run (all paths agree).
    public var kernelPath: Int8KernelPath {
        get { inputProjection.kernelPath }
        set { inputProjection.kernelPath = newValue; recurrentProjection.kernelPath = newValue }
    }

    /// A layer with zero weights (to be loaded) or the given projections.
    public init(cell: RecurrentCell, units: Int, inputDimensions: Int, returnSequences: Bool = false, goBackwards: Bool = false,
                useBias: Bool = true, inputProjection: DynamicQuantizedDense? = nil, recurrentProjection: DynamicQuantizedDense? = nil) {
        self.cell = cell
        self.units = units
        self.inputDimensions = inputDimensions
        self.returnSequences = returnSequences
        self.goBackwards = goBackwards
        let width = cell.gates * units
        self.inputProjection = inputProjection ?? DynamicQuantizedDense(units: width, inputDimensions: inputDimensions, useBias: useBias)
        self.recurrentProjection = recurrentProjection
            ?? DynamicQuantizedDense(units: width, inputDimensions: units, useBias: useBias && cell == .gru)
        super.init()
    }

    /// The int8 form of a built recurrent layer (`SimpleRNN`, `LSTM` or `GRU`); `reduceRange`:
    /// codes in -64...64 (``WeightQuantization``).
    public convenience init(_ layer: RecurrentLayer, reduceRange: Bool = false) {
        let width = layer.cell.gates * layer.units, kernel = layer.kernel!
        let input = DynamicQuantizedDense(units: width, inputDimensions: kernel.shape[0], useBias: layer.useBias,
                                          weights: WeightQuantization(transposing: kernel, reduceRange: reduceRange), bias: layer.bias?.scalars)
        let recurrent = DynamicQuantizedDense(units: width, inputDimensions: layer.units, useBias: layer.recurrentBias != nil,
                                              weights: WeightQuantization(transposing: layer.recurrentKernel!, reduceRange: reduceRange),
                                              bias: layer.recurrentBias?.scalars)
        self.init(cell: layer.cell, units: layer.units, inputDimensions: kernel.shape[0], returnSequences: layer.returnSequences,
                  goBackwards: layer.goBackwards, useBias: layer.useBias, inputProjection: input, recurrentProjection: recurrent)
        zeroOutputForMask = layer.zeroOutputForMask
    }

    /// Whether the layer has biases.
    public var useBias: Bool { inputProjection.useBias }

    /// Runs the layer on `[batch, time, features]`.
    public override func forward(_ input: Tensor) -> Tensor { run(input, mask: nil, options: ownOptions) }

    /// Runs the layer with a `[batch, time]` mask (nonzero = real step).
    public func forward(_ input: Tensor, mask: Tensor) -> Tensor { run(input, mask: mask, options: ownOptions) }

    public func outputMask(for input: Tensor, mask: Tensor?) -> Tensor? { returnSequences ? mask : nil }

    var ownOptions: RecurrentSequenceOptions {
        RecurrentSequenceOptions(reverse: goBackwards, outputsInProcessingOrder: goBackwards, returnSequences: returnSequences,
                                 zeroMaskedOutputs: zeroOutputForMask)
    }

    /// The output (`[batch, units]`, or `[batch, time, units]` with `options.returnSequences`).
    func run(_ input: Tensor, mask: Tensor?, options: RecurrentSequenceOptions) -> Tensor {
        quantizedRequire(input.dtype == .float32 && input.rank == 3 && input.shape[2] == inputDimensions && input.shape[1] > 0,
                         "DynamicQuantizedRecurrent: input is \(input.dtype) \(input.shape), expected float32 [batch, time ≥ 1, \(inputDimensions)]")
        let (B, T, U) = (input.shape[0], input.shape[1], units)
        quantizedRequire(mask == nil || mask!.shape == [B, T],
                         "DynamicQuantizedRecurrent: mask has shape \(mask?.shape ?? []), expected \([B, T])")
        let mask = mask.map { $0.dtype == .float32 ? $0 : $0.cast(to: .float32) }
        let GU = cell.gates * U
        let projected = inputProjection(input.reshape([B * T, inputDimensions]))   // [B·T, GU], bias included
        let output = Tensor.zeros(options.returnSequences ? [B, T, U] : [B, U])
        // Scratch: h, c (LSTM), the last output (masks), the recurrent products z.
        let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: B * U * 3 + B * GU)
        defer { scratch.deallocate() }
        scratch.initialize(repeating: 0)
        let ph = scratch.baseAddress!, pz = ph + 3 * B * U
        let pc: UnsafeMutablePointer<Float>? = cell == .lstm ? ph + B * U : nil
        let pl: UnsafeMutablePointer<Float>? = mask != nil ? ph + 2 * B * U : nil
        let (px, po, pm, path) = (projected.floats, output.floats, mask?.floats, recurrentProjection.kernelPath)
        let zeroMasked = options.zeroMaskedOutputs, sequences = options.returnSequences
        let packed = recurrentProjection.packedKernel
        for s in 0..<T {
            let t = options.reverse ? T - 1 - s : s
            let slot = options.outputsInProcessingOrder ? s : t
            let q = ActivationQuantization.measured(ph, count: B * U, path: path)
            let codes = q.codes(ph, count: B * U, path: path)
            let product = recurrentProjection.product(input: q, packed: packed)
            codes.withUnsafeBufferPointer { x in
                // The batch rows are independent within a step: each thread multiplies and steps its own rows.
                Parallel.forRanges(B, grain: max(1, product.rowGrain / 4)) { rows in
                    product.run(rows: rows, codes: x.baseAddress!, into: pz)
                    for b in rows {
                        let outRow: UnsafeMutablePointer<Float>? = sequences ? po + (b * T + slot) * U : nil
                        if let pm, pm[b * T + t] == 0 {
                            if let outRow, !zeroMasked, let pl { outRow.update(from: pl + b * U, count: U) }
                            continue
                        }
                        let hRow = ph + b * U
                        RecurrentCellMath.step(cell, z: pz + b * GU, x: px + (b * T + t) * GU, h: hRow,
                                               c: pc.map { $0 + b * U }, units: U)
                        if let pl { (pl + b * U).update(from: hRow, count: U) }
                        outRow?.update(from: hRow, count: U)
                    }
                }
            }
        }
        if !sequences { po.update(from: pl ?? ph, count: B * U) }
        return output
    }
}
