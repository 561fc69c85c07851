import CInt8
import Foundation
import LeptonNN
import LeptonTensor

/// An int8 matrix `[units, depth]` (one output unit per row, as stored) in the layout the
/// implicit-GEMM kernels read — packed as the filters of a 1×1 convolution, so 32 units are
/// multiplied by 4 input bytes per instruction with no horizontal sums — kept until the codes change,
/// with whether its codes are narrow (``Int8Epilogue/narrowWeights``).
///
/// Loading weights writes into the layer's tensors in place, so the packed copy is checked against
/// the codes it was made from (one `memcmp`) on each use; a lock makes concurrent calls safe.
final class PackedInt8Weights: @unchecked Sendable {
    private let lock = NSLock()
    private var source: [Int8] = []
    private var packed = PackedKernel(codes: [], narrow: false)

    /// Packed codes and whether they are narrow.
    struct PackedKernel {
        let codes: [Int8]
        let narrow: Bool
    }

    /// The packed form of `kernel` (`int8 [units, depth]`).
    func packed(_ kernel: Tensor) -> PackedKernel {
        lock.lock()
        defer { lock.unlock() }
        let count = kernel.count, codes = UnsafePointer(kernel.int8s)
        let same = source.count == count && source.withUnsafeBytes { memcmp($0.baseAddress!, codes, count) == 0 }
        if !same {
            source = Array(UnsafeBufferPointer(start: codes, count: count))
            var shape = Int8Product.shape(rows: 1, units: kernel.shape[0], depth: kernel.shape[1])
            var codesPacked = [Int8](repeating: 0, count: lepton_int8_conv_packed_size(&shape))
            lepton_int8_conv_pack(&shape, codes, &codesPacked)
            packed = PackedKernel(codes: codesPacked, narrow: Int8Epilogue.narrow(codes, count: count))
        }
        return packed
    }
}

/// One call's int8 matrix product: uint8 input codes (one quantisation for the whole call) times
/// packed int8 weights, dequantised per output unit with the bias and an optional fused ReLU.
struct Int8Product {
    let packed: PackedInt8Weights.PackedKernel
    let epilogue: Int8Epilogue
    let sums: Tensor
    let bias: Tensor?
    let units: Int
    let depth: Int
    let path: Int8KernelPath

    /// The geometry that makes the convolution kernels a matrix product: `rows` pixels of one
    /// image row, `depth` channels, `units` 1×1 filters.
    static func shape(rows: Int, units: Int, depth: Int) -> LeptonInt8ConvShape {
        LeptonInt8ConvShape(batch: 1, in_h: 1, in_w: Int64(rows), channels: Int64(depth), out_h: 1, out_w: Int64(rows),
                            filters: Int64(units), kernel_h: 1, kernel_w: 1, stride_h: 1, stride_w: 1, pool_h: 1, pool_w: 1)
    }

    /// Writes `out[r, 0..<units]` for the rows `rows` of `codes` (`[rows, depth]`, readable 64
    /// bytes past its last row).
    func run(rows: Range<Int>, codes: UnsafePointer<UInt8>, into out: UnsafeMutablePointer<Float>) {
        guard !rows.isEmpty else { return }
        var shape = Self.shape(rows: rows.count, units: units, depth: depth)
        packed.codes.withUnsafeBufferPointer { weights in
            epilogue.withC(sums: sums, bias: bias) { e in
                lepton_int8_conv(path.code, &shape, 0, 1, codes + rows.lowerBound * depth, weights.baseAddress!, e,
                                 out + rows.lowerBound * units)
            }
        }
    }

    /// Rows per thread that keep a thread busy for about as long as the static kernels' grain.
    var rowGrain: Int { max(4, (1 << 19) / max(1, units * depth)) }
}

extension ActivationQuantization {
    /// The `uint8` quantisation of the range `x[0..<count]` holds (finite values only; 0 always
    /// included): what dynamic quantisation measures on each batch.
    static func measured(_ x: UnsafePointer<Float>, count: Int, path: Int8KernelPath) -> ActivationQuantization {
        var low: Float = 0, high: Float = 0
        lepton_int8_range(path.code, x, Int64(count), &low, &high)
        guard low <= high else { return ActivationQuantization(minimum: 0, maximum: 0) }   // nothing finite
        return ActivationQuantization(minimum: low, maximum: high)
    }

    /// Codes of `x[0..<count]` in a new buffer with 64 bytes to spare (the kernels read whole groups).
    func codes(_ x: UnsafePointer<Float>, count: Int, path: Int8KernelPath) -> [UInt8] {
        var codes = [UInt8](repeating: UInt8(zeroPoint), count: count + 64)
        codes.withUnsafeMutableBufferPointer { quantize(x, count: count, into: $0.baseAddress!, path: path) }
        return codes
    }
}
