import LeptonNN
import LeptonTensor

/// Post-training static int8 quantisation of a ``Sequential`` model (ONNX Runtime's
/// `quantize_static`, PyTorch's eager PTQ): the calibration batches are run through the float
/// model, each ``Dense`` and channels-last ``Conv2D`` (groups 1, dilation 1) gets its input's
/// `uint8` quantisation from what it saw (``CalibrationMethod``) and per-channel `int8` weights,
/// and is replaced by ``QuantizedDense`` / ``QuantizedConv2D``. A ``MaxPooling2D`` right after a
/// quantised convolution with a ReLU or no activation (windows = strides, no padding) is fused
/// into it (``QuantizedConv2D/poolSize``). A ``BatchNormalization`` right after a ``Dense`` or
/// ``Conv2D`` without activation is folded into it first (``BatchNormFolding``), with an
/// ``Activation`` layer after it. Other layers stay float32; those with weights are reported in
/// ``Result/unsupported``.
///
/// ```swift
/// let result = try PostTrainingQuantizer(method: .entropy).quantize(model, calibration: images, batchSize: 32)
/// try ModelFile.save(result.model, to: folder, inputShape: [28, 28, 1])
/// ```
public struct PostTrainingQuantizer: Sendable {
    /// How activation ranges are chosen.
    public var method: CalibrationMethod
    /// The percentile kept by ``CalibrationMethod/percentile`` (and its mirror at the bottom).
    public var percentile: Double
    /// Whether a max pooling after a quantised convolution is fused into it.
    public var fusePooling: Bool
    /// 7-bit weights (codes in -64...64, ``WeightQuantization``): a little accuracy for the
    /// `vpmaddubsw` kernels on CPUs without VNNI (on VNNI CPUs no faster).
    public var reduceRange: Bool

    public init(method: CalibrationMethod = .minmax, percentile: Double = 99.99, fusePooling: Bool = true,
                reduceRange: Bool = false) {
        self.method = method
        self.percentile = percentile
        self.fusePooling = fusePooling
        self.reduceRange = reduceRange
    }

    /// What ``quantize(_:calibration:batchSize:)`` made.
    public struct Result {
        /// The model with quantised layers (sharing the float layers it kept with the input model).
        public let model: Sequential
        /// Names of the layers now in int8, with their input quantisation.
        public let quantized: [(name: String, input: ActivationQuantization)]
        /// Layers with weights left in float32, each with the reason.
        public let unsupported: [(name: String, reason: String)]
    }

    /// Quantises `model`, calibrating on `calibration` (`[rows, …input shape]`) in batches of `batchSize`.
    /// - Throws: ``CompressError`` for an empty calibration set, a batch size below 1, or
    ///   calibration rows whose shape the model does not take (naming both shapes).
    public func quantize(_ model: Sequential, calibration: Tensor, batchSize: Int, inputShape: [Int]? = nil) throws -> Result {
        guard calibration.rank >= 1, calibration.shape[0] > 0 else {
            throw CompressError("the calibration data is empty; expected at least one row")
        }
        guard batchSize >= 1 else { throw CompressError("calibration batch size \(batchSize); expected at least 1") }
        if let inputShape, Array(calibration.shape.dropFirst()) != inputShape {
            throw CompressError("calibration rows have shape \(Array(calibration.shape.dropFirst())); the model takes "
                                + "\(inputShape) (its input_shape)")
        }
        guard calibration.dtype == .float32 else {
            throw CompressError("the calibration data is \(calibration.dtype); expected float32 inputs")
        }
        guard percentile > 50, percentile <= 100 else {
            throw CompressError("percentile \(percentile); expected a number in (50, 100]")
        }
        let wasTraining = model.isTraining
        defer { model.train(wasTraining) }
        let folded = BatchNormFolding.fold(model)
        let working = folded.model, names = folded.sources.map { $0.joined(separator: " + ") }
        var unsupported: [(String, String)] = []
        var targets: [Int: ActivationObserver] = [:]
        for (i, layer) in working.layers.enumerated() {
            if let reason = Self.unsupportedReason(layer) {
                if layer.parameterCount > 0 { unsupported.append((names[i], reason)) }
            } else {
                targets[i] = ActivationObserver()
            }
        }
        working.eval()
        try calibrate(working, calibration: calibration, batchSize: batchSize, targets: targets) { $0.observeRange($1) }
        if method != .minmax {
            try calibrate(working, calibration: calibration, batchSize: batchSize, targets: targets) { $0.observeHistogram($1) }
        }
        var layers: [Module] = []
        var quantized: [(String, ActivationQuantization)] = []
        var i = 0
        while i < working.layers.count {
            let layer = working.layers[i]
            guard let observer = targets[i] else { layers.append(layer); i += 1; continue }
            let input = observer.quantization(method, percentile: percentile)
            let pool = fusePooling && i + 1 < working.layers.count ? Self.fusablePooling(after: layer, working.layers[i + 1]) : nil
            let replacement = Self.replacement(for: layer, input: input, poolSize: pool ?? [1, 1], reduceRange: reduceRange)
            replacement.name = folded.sources[i][0]
            layers.append(replacement)
            quantized.append((names[i] + (pool == nil ? "" : " + \(names[i + 1])"), input))
            i += pool == nil ? 1 : 2
        }
        return Result(model: Sequential(layers), quantized: quantized, unsupported: unsupported)
    }

    /// Runs the calibration batches through `model`, handing each target layer's input to `observe`.
    private func calibrate(_ model: Sequential, calibration: Tensor, batchSize: Int, targets: [Int: ActivationObserver],
                           observe: (ActivationObserver, Tensor) -> Void) throws {
        let rows = calibration.shape[0], rowSize = calibration.count / rows
        var start = 0
        while start < rows {
            let count = min(batchSize, rows - start)
            let batch = Tensor(uninitializedShape: [count] + calibration.shape.dropFirst())
            batch.floats.update(from: calibration.floats + start * rowSize, count: count * rowSize)
            var x = batch
            for (i, layer) in model.layers.enumerated() {
                if let observer = targets[i] { observe(observer, x) }
                if let layer = layer as? any ConfigurableLayer {
                    do { _ = try layer.inferShape(TensorSpec(shape: x.shape, dtype: x.dtype)) } catch let error as ConfigError {
                        throw CompressError("calibration batch of shape \(batch.shape) does not fit layer \(i) "
                                            + "(\(type(of: layer))): \(error.description)")
                    }
                }
                x = Tensor.withoutGrad { layer(x) }
            }
            start += count
        }
    }

    /// Why `layer` stays float32, or nil when it is quantised.
    static func unsupportedReason(_ layer: Module) -> String? {
        if let dense = layer as? Dense {
            return dense.kernel == nil ? "Dense has no weights yet (the model was never built)" : nil
        }
        if let conv = layer as? Conv2D {
            if conv.kernel == nil { return "Conv2D has no weights yet (the model was never built)" }
            if conv.dataFormat != .channelsLast { return "Conv2D with channels-first data is not quantised" }
            if conv.groups != 1 { return "Conv2D with groups \(conv.groups) is not quantised (groups 1 only)" }
            if conv.dilation != [1, 1] { return "Conv2D with dilation \(conv.dilation) is not quantised (dilation 1 only)" }
            return nil
        }
        return "\(type(of: layer)) has no int8 kernel"
    }

    /// The window of a max pooling that can be fused into the quantised `layer` before it.
    static func fusablePooling(after layer: Module, _ next: Module) -> [Int]? {
        guard let conv = layer as? Conv2D, conv.activation == .relu || conv.activation == .linear,
              let pool = next as? MaxPooling2D, pool.padding == .valid, pool.dataFormat == .channelsLast,
              pool.strides == pool.poolSize else { return nil }
        return pool.poolSize
    }

    /// The quantised layer replacing a supported `layer`.
    /// `weightScales` fixes the per-channel weight scales (frozen during quantisation-aware
    /// training); by default they come from the weights. `reduceRange`: codes in -64...64.
    static func replacement(for layer: Module, input: ActivationQuantization, poolSize: [Int] = [1, 1],
                            weightScales: [Float]? = nil, reduceRange: Bool = false) -> Module {
        if let dense = layer as? Dense, let kernel = dense.kernel {
            let (depth, units) = (kernel.shape[0], kernel.shape[1])
            let w = kernel.scalars
            var rows = [Float](repeating: 0, count: units * depth)
            for k in 0..<depth { for n in 0..<units { rows[n * depth + k] = w[k * units + n] } }
            return QuantizedDense(units: units, inputDimensions: depth, activation: dense.activation, useBias: dense.useBias,
                                  inputQuantization: input,
                                  weights: WeightQuantization(weights: rows, channels: units, depth: depth, scales: weightScales,
                                                              reduceRange: reduceRange),
                                  bias: dense.bias?.scalars)
        }
        let conv = layer as! Conv2D
        let kernel = conv.kernel!
        let (f, c, kh, kw) = (kernel.shape[0], kernel.shape[1], kernel.shape[2], kernel.shape[3])
        let w = kernel.scalars
        var rows = [Float](repeating: 0, count: w.count)
        for o in 0..<f { for ch in 0..<c { for y in 0..<kh { for x in 0..<kw {
            rows[((o * kh + y) * kw + x) * c + ch] = w[((o * c + ch) * kh + y) * kw + x]
        } } } }
        return QuantizedConv2D(filters: f, kernelSize: [kh, kw], strides: conv.strides, padding: conv.padding, poolSize: poolSize,
                               inputChannels: c,
                               activation: conv.activation, useBias: conv.useBias, inputQuantization: input,
                               weights: WeightQuantization(weights: rows, channels: f, depth: kh * kw * c, scales: weightScales,
                                                           reduceRange: reduceRange),
                               bias: conv.bias?.scalars)
    }
}
