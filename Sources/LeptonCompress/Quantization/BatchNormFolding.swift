import LeptonNN
import LeptonTensor

/// Folding an inference-mode ``BatchNormalization`` into the ``Dense`` or channels-last
/// ``Conv2D`` before it (PyTorch's `fuse_conv_bn_eval`): with `f = γ / √(running variance + ε)`
/// per output channel, the folded layer has weights `w · f` and bias `(b − μ) · f + β`, and
/// computes what the pair computes in evaluation mode. An ``Activation`` layer right after the
/// normalisation becomes the folded layer's activation.
///
/// ```swift
/// let folded = BatchNormFolding.fold(model)          // Conv2D + BatchNormalization + Activation → one Conv2D
/// try PostTrainingQuantizer().quantize(folded.model, calibration: x, batchSize: 32)
/// ```
public enum BatchNormFolding {
    /// A model with its foldable pairs folded.
    public struct Folded {
        /// The folded model; layers that were not folded are shared with the input model.
        public let model: Sequential
        /// For each layer of ``model``, the names of the input model's layers it stands for
        /// (`["conv2d", "batch_normalization", "activation"]` for a folded triple).
        public let sources: [[String]]
    }

    /// A normalisation at `index + 1` that folds into the layer at `index`, and an ``Activation``
    /// after it that can become the folded layer's activation.
    public static func foldable(_ layers: [Module], at index: Int) -> (batchNorm: BatchNormalization, activation: Activation?)? {
        guard index + 1 < layers.count, let bn = layers[index + 1] as? BatchNormalization, let gamma = bn.gamma else { return nil }
        let channels: Int
        if let dense = layers[index] as? Dense, let kernel = dense.kernel, dense.activation == .linear, bn.axis == -1 {
            channels = kernel.shape[1]
        } else if let conv = layers[index] as? Conv2D, conv.kernel != nil, conv.activation == .linear,
                  conv.dataFormat == .channelsLast, bn.axis == -1 || bn.axis == 3 {
            channels = conv.filters
        } else {
            return nil
        }
        guard gamma.shape == [channels] else { return nil }
        return (bn, index + 2 < layers.count ? layers[index + 2] as? Activation : nil)
    }

    /// `model` with every foldable ``Dense``/``Conv2D`` + ``BatchNormalization`` (+ ``Activation``)
    /// replaced by one float layer named like the first of them.
    public static func fold(_ model: Sequential) -> Folded {
        let names = model.layerNames
        var layers: [Module] = [], sources: [[String]] = []
        var i = 0
        while i < model.layers.count {
            guard let (bn, activation) = foldable(model.layers, at: i) else {
                layers.append(model.layers[i])
                sources.append([names[i]])
                i += 1
                continue
            }
            let layer = folded(model.layers[i], bn, activation: activation?.function ?? .linear)
            layer.name = names[i]
            let used = activation == nil ? 2 : 3
            layers.append(layer)
            sources.append(Array(names[i..<(i + used)]))
            i += used
        }
        return Folded(model: Sequential(layers), sources: sources)
    }

    /// The per-channel factor `γ / √(running variance + ε)`.
    public static func factors(_ bn: BatchNormalization) -> [Float] {
        let gamma = bn.gamma!.scalars, variance = bn.runningVariance!.scalars
        return zip(gamma, variance).map { $0 / ($1 + bn.epsilon).squareRoot() }
    }

    /// The folded biases `(b − μ) · f + β` (b = 0 without a bias).
    static func foldedBias(_ bias: Tensor?, _ bn: BatchNormalization, factors: [Float]) -> [Float] {
        let mean = bn.runningMean!.scalars, beta = bn.beta!.scalars
        let b = bias?.scalars ?? [Float](repeating: 0, count: factors.count)
        return (0..<factors.count).map { (b[$0] - mean[$0]) * factors[$0] + beta[$0] }
    }

    /// A new float ``Dense`` or ``Conv2D`` computing `layer` then `bn` (evaluation mode), then `activation`.
    /// `layer` and `bn` must be a pair ``foldable(_:at:)`` accepts.
    public static func folded(_ layer: Module, _ bn: BatchNormalization, activation: ActivationFunction) -> Module {
        let f = factors(bn)
        if let dense = layer as? Dense, let kernel = dense.kernel {
            let (depth, units) = (kernel.shape[0], kernel.shape[1])
            var w = kernel.scalars
            for k in 0..<depth { for n in 0..<units { w[k * units + n] *= f[n] } }
            let out = Dense(units: units, activation: activation, useBias: true, inputDimensions: depth, kernelInitializer: .zeros)
            out.kernel!.assign(Tensor(w, shape: kernel.shape))
            out.bias!.assign(Tensor(foldedBias(dense.bias, bn, factors: f), shape: [units]))
            return out
        }
        let conv = layer as! Conv2D
        let kernel = conv.kernel!
        let perFilter = kernel.count / conv.filters
        var w = kernel.scalars
        for i in w.indices { w[i] *= f[i / perFilter] }
        let out = Conv2D(filters: conv.filters, kernelSize: conv.kernelSize, strides: conv.strides, padding: conv.padding,
                         dilation: conv.dilation, groups: conv.groups, activation: activation, useBias: true,
                         dataFormat: conv.dataFormat, inputChannels: kernel.shape[1] * conv.groups, kernelInitializer: .zeros)
        out.kernel!.assign(Tensor(w, shape: kernel.shape))
        out.bias!.assign(Tensor(foldedBias(conv.bias, bn, factors: f), shape: [conv.filters]))
        return out
    }
}
