import LeptonNN
import LeptonTensor

/// Quantisation-aware training of a ``Sequential`` model (PyTorch's eager `prepare_qat` →
/// fine-tune → `convert`): ``prepare(_:)`` wraps each ``Dense`` and channels-last ``Conv2D``
/// (with the ``BatchNormalization`` and ``Activation`` after it, when it folds) in a
/// ``FakeQuantizedLayer``; the model is fine-tuned as any other (``QATFreezeSchedule`` freezes
/// observers and normalisation statistics after some epochs); ``convert(_:)`` turns it into the
/// int8 model ``PostTrainingQuantizer`` makes — ``QuantizedDense``/``QuantizedConv2D`` with the
/// normalisation folded in, the learned input ranges and the weight scales — so model files,
/// `evaluate`, `serve` and the ONNX export take it unchanged.
///
/// ```swift
/// let qat = QuantizationAwareTraining()
/// let prepared = qat.prepare(model)
/// try prepared.model.compile(optimizer: .adam(learningRate: 1e-4), loss: .sparseCategoricalCrossentropy)
/// try prepared.model.fit(x: x, y: y, epochs: 2, callbacks: [try QATFreezeSchedule(observersAfter: 1, epochs: 2)])
/// let int8 = try qat.convert(prepared.model).model
/// ```
public struct QuantizationAwareTraining: Sendable {
    /// How far each training batch moves an input range (PyTorch's default 0.01).
    public var averagingConstant: Float
    /// Whether a max pooling after a quantised convolution is fused into it on conversion.
    public var fusePooling: Bool

    public init(averagingConstant: Float = 0.01, fusePooling: Bool = true) {
        self.averagingConstant = averagingConstant
        self.fusePooling = fusePooling
    }

    /// What ``prepare(_:)`` made.
    public struct Prepared {
        /// The model to fine-tune; it shares its float layers (and so their weights) with the input model.
        public let model: Sequential
        /// For each ``FakeQuantizedLayer``, the names of the layers it stands for.
        public let quantized: [[String]]
        /// Layers with weights left in float32, each with the reason.
        public let unsupported: [(name: String, reason: String)]
    }

    /// `model` with its ``Dense`` and ``Conv2D`` layers (and the normalisation after each, when it
    /// folds) wrapped in ``FakeQuantizedLayer``s; other layers are kept as they are.
    /// - Throws: ``CompressError`` when no layer can be quantised or `averagingConstant` is not in (0, 1].
    public func prepare(_ model: Sequential) throws -> Prepared {
        guard averagingConstant > 0, averagingConstant <= 1 else {
            throw CompressError("averaging constant \(averagingConstant); expected a number in (0, 1]")
        }
        let names = model.layerNames
        var layers: [Module] = [], quantized: [[String]] = [], unsupported: [(String, String)] = []
        var i = 0
        while i < model.layers.count {
            let layer = model.layers[i]
            if let reason = PostTrainingQuantizer.unsupportedReason(layer) {
                if layer.parameterCount > 0 { unsupported.append((names[i], reason)) }
                layers.append(layer)
                i += 1
                continue
            }
            let pair = BatchNormFolding.foldable(model.layers, at: i)
            let used = pair == nil ? 1 : pair!.activation == nil ? 2 : 3
            let wrapped = FakeQuantizedLayer(layer, batchNorm: pair?.batchNorm, activation: pair?.activation?.function,
                                             averagingConstant: averagingConstant)
            wrapped.name = names[i]
            layers.append(wrapped)
            quantized.append(Array(names[i..<(i + used)]))
            i += used
        }
        guard !quantized.isEmpty else {
            throw CompressError("the model has no Dense or channels-last Conv2D layer for quantisation-aware training")
        }
        let prepared = Sequential(layers)
        prepared.train(model.isTraining)
        return Prepared(model: prepared, quantized: quantized, unsupported: unsupported)
    }

    /// The int8 model of a prepared and fine-tuned `model`: each ``FakeQuantizedLayer`` becomes a
    /// ``QuantizedDense`` or ``QuantizedConv2D`` (a max pooling after a convolution fused in, as
    /// ``PostTrainingQuantizer`` does) with its normalisation folded, its observed input range and
    /// its weight scales; other layers are shared with `model`.
    /// - Throws: ``CompressError`` for a layer whose input range was never observed (the model
    ///   was not run in training mode).
    public func convert(_ model: Sequential) throws -> PostTrainingQuantizer.Result {
        let names = model.layerNames
        var layers: [Module] = [], quantized: [(String, ActivationQuantization)] = [], unsupported: [(String, String)] = []
        var i = 0
        while i < model.layers.count {
            guard let layer = model.layers[i] as? FakeQuantizedLayer else {
                let kept = model.layers[i]
                if kept.parameterCount > 0, let reason = PostTrainingQuantizer.unsupportedReason(kept) { unsupported.append((names[i], reason)) }
                layers.append(kept)
                i += 1
                continue
            }
            guard let input = layer.inputObserver.quantization else {
                throw CompressError("layer \(names[i]) never saw a training batch, so its input range is unknown; "
                                    + "fine-tune the prepared model (or run it in training mode) before converting")
            }
            let float = Self.floatLayer(layer)
            let next = i + 1 < model.layers.count ? model.layers[i + 1] : nil
            let pool = fusePooling ? next.flatMap { PostTrainingQuantizer.fusablePooling(after: float, $0) } : nil
            let replacement = PostTrainingQuantizer.replacement(for: float, input: input, poolSize: pool ?? [1, 1],
                                                                weightScales: layer.frozenWeightScales)
            replacement.name = names[i]
            layers.append(replacement)
            quantized.append((names[i] + (pool == nil ? "" : " + \(names[i + 1])"), input))
            i += pool == nil ? 1 : 2
        }
        return PostTrainingQuantizer.Result(model: Sequential(layers), quantized: quantized, unsupported: unsupported)
    }

    /// The float layer `layer` computes in evaluation mode: its own, or a new one with the
    /// normalisation folded in; with `layer`'s activation either way.
    static func floatLayer(_ layer: FakeQuantizedLayer) -> Module {
        if let bn = layer.batchNorm { return BatchNormFolding.folded(layer.layer, bn, activation: layer.activation) }
        return layer.layer
    }

    /// Freezes every ``FakeQuantizedLayer``'s input range and weight scales in `model`.
    public static func freezeObservers(_ model: Module) {
        for case let (_, layer as FakeQuantizedLayer) in model.namedModules() { layer.freezeObservers() }
    }

    /// Makes every ``FakeQuantizedLayer``'s normalisation in `model` use its running statistics.
    public static func freezeBatchNormStatistics(_ model: Module) {
        for case let (_, layer as FakeQuantizedLayer) in model.namedModules() { layer.freezeBatchNormStatistics() }
    }
}
