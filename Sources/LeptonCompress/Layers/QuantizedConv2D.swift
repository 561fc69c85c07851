import CInt8
import LeptonNN
import LeptonTensor

/// A channels-last ``Conv2D`` in int8 (groups 1, dilation 1): the input is quantised per tensor
/// to `uint8` into a padded buffer (padding holds the zero point, i.e. real 0), convolved with
/// per-channel symmetric `int8` filters by an implicit GEMM (no patch matrix: each step reads 4
/// consecutive bytes of a kernel row), and dequantised with the bias and a fused ReLU.
///
/// With a ``poolSize`` other than `[1, 1]` it also does the max pooling that followed the float
/// convolution (windows of that size, stride = size, no padding): the maximum is taken over the
/// int32 sums, before the epilogue, so the dequantisation and the output write run once per
/// pooled value and no full-size float map is made.
///
/// The kernel is stored `[filters, KH, KW, C]` (each filter's taps in the order the input holds them).
public final class QuantizedConv2D: QuantizedLayer {
    public let filters: Int
    public let kernelSize: [Int]
    public let strides: [Int]
    public let padding: PaddingMode
    /// The fused max pooling's window (`[1, 1]`: none).
    public let poolSize: [Int]
    public let inputChannels: Int

    /// A layer with zero weights (to be loaded) or the given quantised ones (`weights` laid out
    /// `[filters, KH·KW·C]`).
    public init(filters: Int, kernelSize: [Int], strides: [Int] = [1, 1], padding: PaddingMode = .valid,
                poolSize: [Int] = [1, 1], inputChannels: Int, activation: ActivationFunction = .linear, useBias: Bool = true,
                inputQuantization: ActivationQuantization, weights: WeightQuantization? = nil, bias: [Float]? = nil) {
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.poolSize = poolSize
        self.inputChannels = inputChannels
        super.init(kernelShape: [filters, kernelSize[0], kernelSize[1], inputChannels], activation: activation, useBias: useBias,
                   inputQuantization: inputQuantization, weights: weights, bias: bias)
    }

    /// `(before, after)` padding of one axis (TensorFlow's rule for `same`, as ``Conv2D``).
    func paddingAmounts(input: Int, axis: Int) -> (Int, Int) {
        guard padding == .same else { return (0, 0) }
        let out = (input + strides[axis] - 1) / strides[axis]
        let total = max(0, (out - 1) * strides[axis] + kernelSize[axis] - input)
        return (total / 2, total - total / 2)
    }

    public override func forward(_ input: Tensor) -> Tensor {
        quantizedRequire(input.dtype == .float32 && input.rank == 4 && input.shape[3] == inputChannels,
                         "QuantizedConv2D: input is \(input.dtype) \(input.shape), expected float32 [batch, height, width, \(inputChannels)]")
        let (n, h, w, c) = (input.shape[0], input.shape[1], input.shape[2], inputChannels)
        let (top, bottom) = paddingAmounts(input: h, axis: 0), (left, right) = paddingAmounts(input: w, axis: 1)
        let (ph, pw) = (h + top + bottom, w + left + right)
        var shape = LeptonInt8ConvShape(batch: Int64(n), in_h: Int64(ph), in_w: Int64(pw), channels: Int64(c),
                                        out_h: Int64((ph - kernelSize[0]) / strides[0] + 1),
                                        out_w: Int64((pw - kernelSize[1]) / strides[1] + 1), filters: Int64(filters),
                                        kernel_h: Int64(kernelSize[0]), kernel_w: Int64(kernelSize[1]),
                                        stride_h: Int64(strides[0]), stride_w: Int64(strides[1]),
                                        pool_h: Int64(poolSize[0]), pool_w: Int64(poolSize[1]))
        let (pooledHeight, pooledWidth) = (Int(shape.out_h) / poolSize[0], Int(shape.out_w) / poolSize[1])
        quantizedRequire(pooledHeight >= 1 && pooledWidth >= 1,
                         "QuantizedConv2D: a \(shape.out_h)×\(shape.out_w) output has no \(poolSize) pooling window")
        let codes = paddedCodes(input, height: h, width: w, top: top, left: left, paddedHeight: ph, paddedWidth: pw)
        var packed = [Int8](repeating: 0, count: lepton_int8_conv_packed_size(&shape))
        lepton_int8_conv_pack(&shape, kernel.int8s, &packed)
        let output = Tensor(uninitializedShape: [n, pooledHeight, pooledWidth, filters])
        let epilogue = self.epilogue
        let path = kernelPath.code, out = output.floats
        let rowWork = Int(shape.out_w) * poolSize[0] * filters * kernelSize[0] * kernelSize[1] * c
        codes.withUnsafeBufferPointer { x in
            packed.withUnsafeBufferPointer { p in
                epilogue.withC(sums: kernelSum, bias: bias) { e in
                    withUnsafePointer(to: &shape) { s in
                        Parallel.forRanges(n * pooledHeight, grain: max(1, (1 << 18) / max(1, rowWork))) { range in
                            lepton_int8_conv(path, s, Int64(range.lowerBound), Int64(range.upperBound), x.baseAddress!,
                                             p.baseAddress!, e, out)
                        }
                    }
                }
            }
        }
        return activated(output)
    }

    /// The input's codes in a zero-point-filled buffer with the padding around each image, and
    /// 64 bytes to spare at the end (the kernels read whole 4-byte groups).
    private func paddedCodes(_ input: Tensor, height h: Int, width w: Int, top: Int, left: Int,
                             paddedHeight ph: Int, paddedWidth pw: Int) -> [UInt8] {
        let n = input.shape[0], c = inputChannels
        let zero = UInt8(inputQuantization.zeroPoint)
        var codes = [UInt8](repeating: zero, count: n * ph * pw * c + 64)
        let source = input.floats
        codes.withUnsafeMutableBufferPointer { buffer in
            let target = buffer.baseAddress!
            if ph == h && pw == w {
                inputQuantization.quantize(source, count: n * h * w * c, into: target, path: kernelPath)
                return
            }
            for image in 0..<n {
                for y in 0..<h {
                    inputQuantization.quantize(source + ((image * h + y) * w) * c, count: w * c,
                                               into: target + ((image * ph + y + top) * pw + left) * c, path: kernelPath)
                }
            }
        }
        return codes
    }
}

extension QuantizedConv2D: ConfigurableLayer {
    public static let typeName = "QuantizedConv2D"
    public static let configKeys = ["filters", "kernel_size", "strides", "padding", "pool_size", "input_channels", "activation",
                                    "use_bias"]
        + QuantizedLayerConfig.inputKeys

    public convenience init(config c: ConfigReader) throws {
        let filters = try c.requiredSize("filters"), channels = try c.requiredSize("input_channels")
        guard let kernelSize = try c.ints("kernel_size", count: 2), kernelSize.allSatisfy({ $0 >= 1 }) else {
            throw ConfigError("\(c.path).kernel_size: expected two positive integers")
        }
        let strides = try c.ints("strides", count: 2) ?? [1, 1]
        guard strides.allSatisfy({ $0 >= 1 }) else { throw ConfigError("\(c.path).strides: expected two positive integers, got \(strides)") }
        let poolSize = try c.ints("pool_size", count: 2) ?? [1, 1]
        guard poolSize.allSatisfy({ (1...64).contains($0) }) else {
            throw ConfigError("\(c.path).pool_size: expected two integers in 1...64, got \(poolSize)")
        }
        let useBias = try c.bool("use_bias", default: true)
        let shape = [filters, kernelSize[0], kernelSize[1], channels]
        try c.checkWeights([shape, [filters], [filters]] + (useBias ? [[filters]] : []), sizedBy: "filters")
        self.init(filters: filters, kernelSize: kernelSize, strides: strides, padding: try c.choice("padding", default: .valid),
                  poolSize: poolSize, inputChannels: channels, activation: try c.choice("activation", default: .linear), useBias: useBias,
                  inputQuantization: try QuantizedLayerConfig.input(c))
    }

    public var config: [String: ConfigValue] {
        ["filters": .int(filters), "kernel_size": .ints(kernelSize), "strides": .ints(strides), "padding": .string(padding.rawValue),
         "pool_size": .ints(poolSize), "input_channels": .int(inputChannels), "activation": .string(activation.rawValue), "use_bias": .bool(useBias)]
            .merging(QuantizedLayerConfig.config(inputQuantization)) { a, _ in a }
    }

    /// `[N, H, W, input_channels]` → `[N, H' / poolH, W' / poolW, filters]`.
    public func inferShape(_ input: TensorSpec) throws -> ShapeInference {
        try input.require(.float32)
        try input.require(rank: 4, layout: "[batch, height, width, channels]")
        guard input.shape[3] == inputChannels else {
            throw ConfigError("the input has \(input.shape[3]) channels; expected \(inputChannels) (input_channels)")
        }
        var out = [input.shape[0]]
        for axis in 0..<2 {
            let size = input.shape[axis + 1]
            if padding == .valid {
                guard size >= kernelSize[axis] else {
                    throw ConfigError("the kernel spans \(kernelSize[axis]) but the input has \(size) on axis \(axis + 1); "
                                      + "expected a kernel no larger than the input, or padding \"same\"")
                }
                out.append((size - kernelSize[axis]) / strides[axis] + 1)
            } else {
                out.append((size + strides[axis] - 1) / strides[axis])
            }
            guard out[axis + 1] >= poolSize[axis] else {
                throw ConfigError("the convolution's output has \(out[axis + 1]) on axis \(axis + 1), fewer than the pool_size \(poolSize[axis])")
            }
            out[axis + 1] /= poolSize[axis]
        }
        out.append(filters)
        try LayerLimits.checkTensor([input.shape[1] + kernelSize[0], input.shape[2] + kernelSize[1], inputChannels],
                                    "the padded input of shape")
        try LayerLimits.checkOperations([out[1], out[2], filters, inputChannels, kernelSize[0], kernelSize[1]], "the convolution")
        return ShapeInference(output: input.with(shape: out))
    }
}
