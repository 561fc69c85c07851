import CInt8
import LeptonNN
import LeptonTensor

/// The dequantisation a quantised layer applies to its int32 sums: per output channel, the
/// input's scale times the channel's weight scale, the zero-point correction, the float bias and
/// a fused ReLU. `narrowWeights` says every weight code is in -64...64 (what `--reduce-range`
/// makes), so the AVX2 kernels may use `vpmaddubsw`; false is always correct.
struct Int8Epilogue {
    let scales: [Float]
    let input: ActivationQuantization
    let relu: Bool
    let narrowWeights: Bool

    init(input: ActivationQuantization, weightScales: Tensor, relu: Bool, narrowWeights: Bool = false) {
        let count = weightScales.count, source = weightScales.floats, scale = input.scale
        scales = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for n in 0..<count { buffer[n] = scale * source[n] }   // a plain loop: `map` over a range did not inline (perf)
            initialized = count
        }
        self.input = input
        self.relu = relu
        self.narrowWeights = narrowWeights
    }

    /// Whether every one of `codes[0..<count]` is in -64...64 (one vector pass).
    static func narrow(_ codes: UnsafePointer<Int8>, count: Int) -> Bool {
        let path: Int8KernelPath = Int8KernelPath.avx2.isSupported ? .avx2 : .portable
        return lepton_int8_fits_narrow(path.code, codes, Int64(count)) != 0
    }

    /// Calls `body` with the C kernels' view of this epilogue.
    func withC<R>(sums: Tensor, bias: Tensor?, _ body: (UnsafePointer<LeptonInt8Epilogue>) -> R) -> R {
        scales.withUnsafeBufferPointer { scalePointer in
            var e = LeptonInt8Epilogue(weight_sums: UnsafePointer(sums.int32s), input_zero_point: input.zeroPoint,
                                       scales: scalePointer.baseAddress, bias: bias.map { UnsafePointer($0.floats) },
                                       relu: relu ? 1 : 0, narrow_weights: narrowWeights ? 1 : 0)
            return withUnsafePointer(to: &e) { body($0) }
        }
    }
}

/// Keys and checks shared by the quantised layers' configurations.
enum QuantizedLayerConfig {
    static let inputKeys = ["input_scale", "input_zero_point"]

    /// The input quantisation a config states.
    static func input(_ c: ConfigReader) throws -> ActivationQuantization {
        guard let scale = try c.double("input_scale") else {
            throw ConfigError("\(c.path).input_scale: missing (expected the positive scale of the uint8 input)")
        }
        guard let zeroPoint = try c.int("input_zero_point") else {
            throw ConfigError("\(c.path).input_zero_point: missing (expected the input's uint8 zero point, 0...255)")
        }
        return try ActivationQuantization(scale: Float(scale), zeroPoint: zeroPoint, key: c.path)
    }

    static func config(_ q: ActivationQuantization) -> [String: ConfigValue] {
        ["input_scale": .float(q.scale), "input_zero_point": .int(Int(q.zeroPoint))]
    }

    /// Whether the kernels apply `activation` themselves (ReLU is fused; linear is nothing).
    static func fuses(_ activation: ActivationFunction) -> Bool { activation == .relu || activation == .linear }
}

/// Stops with `message` when a caller broke a quantised layer's precondition (a wrong input
/// shape in code; files are checked by `inferShape` first). The message is printed in optimised builds too.
@inline(__always)
func quantizedRequire(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError(message()) }
}
