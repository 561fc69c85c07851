import LeptonTensor

/// Layers applied one after another (`keras.Sequential`, `torch.nn.Sequential`): a module that
/// custom training loops use as it is, and that LeptonTrain gives Keras's `compile`/`fit`/
/// `evaluate`/`predict`.
///
/// ```swift
/// let model = Sequential([
///     Conv2D(filters: 32, kernelSize: [3, 3], activation: .relu),
///     MaxPooling2D(poolSize: [2, 2]),
///     Flatten(),
///     Dense(units: 128, activation: .relu),
///     Dense(units: 10, activation: .softmax),
/// ])
/// try model.compile(optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"])
/// try model.fit(x: images, y: labels, epochs: 3, batchSize: 32, validationSplit: 0.1)
/// ```
public final class Sequential: Module {
    /// The layers, in order.
    public private(set) var layers: [Module]

    public init(_ layers: [Module] = []) {
        self.layers = layers
        super.init()
    }

    /// Appends a layer.
    public func add(_ layer: Module) { layers.append(layer) }

    /// The layers applied in order. A mask made by a layer (``Embedding`` with `maskZero`) flows
    /// to the layers after it that use it, for as long as they keep it (``MaskAware``).
    public override func forward(_ input: Tensor) -> Tensor { forward(input, layers: layers.count) }

    /// The first `count` layers applied in order (all of them for a count past the end). A
    /// ``Conv2D`` followed by a 2×2 ``MaxPooling2D`` runs as one pass when nothing is recorded
    /// for backpropagation (``Conv2D/forward(_:pooledBy:)``): the same values, without writing
    /// the convolution's full map.
    public func forward(_ input: Tensor, layers count: Int) -> Tensor {
        var x = input, mask: Tensor?
        let applied = layers.prefix(max(count, 0))
        var i = applied.startIndex
        while i < applied.endIndex {
            let layer = applied[i]
            if i + 1 < applied.endIndex, let conv = layer as? Conv2D, let y = conv.forward(x, pooledBy: applied[i + 1]) {
                (x, mask, i) = (y, nil, i + 2)       // neither layer passes a mask on
                continue
            }
            let y = layer.applied(to: x, mask: mask)
            mask = layer.propagatedMask(for: x, mask: mask)
            x = y
            i += 1
        }
        return x
    }

    /// Builds every lazily sized layer by running one zero sample of `inputShape` (without the batch axis).
    /// Runs in evaluation mode, so the probe neither updates batch-norm statistics nor draws dropout masks.
    public func build(inputShape: [Int], dtype: DType = .float32) {
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        _ = Tensor.withoutGrad { forward(Tensor.zeros([1] + inputShape, dtype: dtype)) }
    }

    /// Keras's summary table: each layer, its output shape and parameter count, and totals.
    /// Builds the layers first when `inputShape` is given.
    public func summary(inputShape: [Int]? = nil, dtype: DType = .float32) -> String {
        var rows: [(String, String, Int)] = []
        var x: Tensor? = inputShape.map { Tensor.zeros([1] + $0, dtype: dtype) }
        let names = layerNames
        // Probe in evaluation mode: a zero sample must not move batch-norm statistics.
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        Tensor.withoutGrad {
            for (layer, name) in zip(layers, names) {
                let type = String(describing: Swift.type(of: layer))
                var shape = "?"
                if let input = x {
                    let y = layer(input)
                    shape = "(None, " + y.shape.dropFirst().map(String.init).joined(separator: ", ") + ")"
                    x = y
                }
                rows.append(("\(name) (\(type))", shape, layer.parameterCount))
            }
        }
        let total = rows.reduce(0) { $0 + $1.2 }
        let trainable = parameters().reduce(0) { $0 + $1.count }
        let line = String(repeating: "─", count: 72)
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
        var out = "Model: \"sequential\"\n" + line + "\n" + pad("Layer (type)", 34) + pad("Output Shape", 24) + "Param #\n" + line + "\n"
        for (name, shape, count) in rows { out += pad(name, 34) + pad(shape, 24) + "\(count)\n" }
        out += line + "\nTotal params: \(total)\nTrainable params: \(trainable)\nNon-trainable params: \(total - trainable)\n"
        return out
    }
}
