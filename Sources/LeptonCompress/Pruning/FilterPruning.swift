import LeptonNN
import LeptonTensor

/// Structured pruning that really removes convolution filters: for each channels-last `Conv2D`
/// (groups 1) whose output reaches, through pooling, activation or dropout layers only, either
/// another `Conv2D` or a `Flatten` followed by a `Dense`, the filters with the smallest L1 norm
/// are dropped and the next layer loses the matching input channels (or flattened rows), so the
/// model is smaller and faster, not just sparse. Other convolutions are left as they are.
///
/// ```swift
/// let (smaller, report) = try FilterPruning(fraction: 0.5).prune(model)
/// ```
public struct FilterPruning: Sendable {
    /// The fraction of each prunable convolution's filters to remove, in (0, 1).
    public let fraction: Double

    /// - Throws: ``CompressError`` for a fraction outside (0, 1).
    public init(fraction: Double) throws {
        guard fraction > 0, fraction < 1 else { throw CompressError("filter fraction \(fraction): expected a number in (0, 1)") }
        self.fraction = fraction
    }

    /// A new model with the pruned layers replaced (the other layers are shared with `model`),
    /// and for each pruned convolution its name with the filters before and after.
    public func prune(_ model: Sequential) throws -> (model: Sequential, pruned: [(name: String, before: Int, after: Int)]) {
        var layers = model.layers
        let names = model.layerNames
        var pruned: [(String, Int, Int)] = []
        for i in layers.indices {
            guard let conv = layers[i] as? Conv2D, let kernel = conv.kernel, conv.dataFormat == .channelsLast, conv.groups == 1,
                  let next = Self.consumer(after: i, in: layers) else { continue }
            let filters = kernel.shape[0], keep = max(1, filters - Int(fraction * Double(filters)))
            guard keep < filters else { continue }
            let kept = Self.strongestFilters(kernel, keep: keep)
            let smaller = try Self.conv(conv, keeping: kept)
            smaller.name = names[i]
            layers[i] = smaller
            let replacement: Module = layers[next] is Conv2D
                ? try Self.conv(layers[next] as! Conv2D, inputChannels: kept)
                : Self.dense(layers[next] as! Dense, keptChannels: kept, of: filters)
            replacement.name = names[next]
            layers[next] = replacement
            pruned.append((names[i], filters, keep))
        }
        return (Sequential(layers), pruned)
    }

    /// The index of the layer whose input channels follow convolution `i`'s filters, when only
    /// pooling, activation and dropout layers stand between (a `Flatten` must be followed by a `Dense`).
    static func consumer(after i: Int, in layers: [Module]) -> Int? {
        var j = i + 1
        while j < layers.count, layers[j] is Pooling2D || layers[j] is Activation || layers[j] is Dropout { j += 1 }
        guard j < layers.count else { return nil }
        if let conv = layers[j] as? Conv2D, conv.kernel != nil, conv.groups == 1, conv.dataFormat == .channelsLast { return j }
        if layers[j] is Flatten, j + 1 < layers.count, (layers[j + 1] as? Dense)?.kernel != nil { return j + 1 }
        return nil
    }

    /// The `keep` filters with the largest L1 norms, in their original order.
    static func strongestFilters(_ kernel: Tensor, keep: Int) -> [Int] {
        let filters = kernel.shape[0], size = kernel.count / filters, w = kernel.scalars
        let norms = (0..<filters).map { f in w[(f * size)..<((f + 1) * size)].reduce(0) { $0 + abs($1) } }
        return Array((0..<filters).sorted { norms[$0] > norms[$1] }.prefix(keep)).sorted()
    }

    /// `conv` with only the `kept` filters.
    static func conv(_ conv: Conv2D, keeping kept: [Int]) throws -> Conv2D {
        let s = conv.settings
        let settings = try ConvolutionSettings(filters: kept.count, kernelSize: s.kernelSize, strides: s.strides, padding: s.padding,
                                               dilation: s.dilation, groups: 1, activation: s.activation, useBias: s.useBias,
                                               dataFormat: s.dataFormat)
        let kernel = conv.kernel!, size = kernel.count / kernel.shape[0], w = kernel.scalars
        let smaller = Conv2D(settings: settings, inputChannels: kernel.shape[1])
        smaller.kernel!.assign(Tensor(kept.flatMap { w[($0 * size)..<(($0 + 1) * size)] }, shape: [kept.count] + kernel.shape.dropFirst()))
        if let bias = conv.bias?.scalars { smaller.bias!.assign(Tensor(kept.map { bias[$0] }, shape: [kept.count])) }
        return smaller
    }

    /// `conv` reading only the `kept` input channels.
    static func conv(_ conv: Conv2D, inputChannels kept: [Int]) throws -> Conv2D {
        let kernel = conv.kernel!, (f, c, kh, kw) = (kernel.shape[0], kernel.shape[1], kernel.shape[2], kernel.shape[3])
        let smaller = Conv2D(settings: conv.settings, inputChannels: kept.count)
        let w = kernel.scalars
        var values: [Float] = []
        let area = kh * kw
        for o in 0..<f {
            for ch in kept {
                let start = (o * c + ch) * area
                values.append(contentsOf: w[start..<(start + area)])
            }
        }
        smaller.kernel!.assign(Tensor(values, shape: [f, kept.count, kh, kw]))
        if let bias = conv.bias { smaller.bias!.assign(bias) }
        return smaller
    }

    /// `dense` after a `Flatten` of channels-last maps with `channels` channels, reading only the `kept` ones.
    static func dense(_ dense: Dense, keptChannels kept: [Int], of channels: Int) -> Dense {
        let kernel = dense.kernel!, (rows, units) = (kernel.shape[0], kernel.shape[1])
        let keptSet = Set(kept), w = kernel.scalars
        let keptRows = (0..<rows).filter { keptSet.contains($0 % channels) }
        let smaller = Dense(units: units, activation: dense.activation, useBias: dense.useBias, inputDimensions: keptRows.count)
        smaller.kernel!.assign(Tensor(keptRows.flatMap { w[($0 * units)..<(($0 + 1) * units)] }, shape: [keptRows.count, units]))
        if let bias = dense.bias { smaller.bias!.assign(bias) }
        return smaller
    }
}
