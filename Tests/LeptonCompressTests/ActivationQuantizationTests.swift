import Testing
import LeptonCompress
import LeptonTensor

/// `ActivationQuantization` (Quantization/ActivationQuantization.swift): the range always holds an
/// exact zero, codes round half to even and clamp to 0...255 (ONNX `QuantizeLinear`), and the
/// kernels' loops on every path agree with the one-value path.
@Suite struct ActivationQuantizationTests {
    @Test func zeroIsExact() {
        for (low, high) in [(Float(-0.4), Float(6)), (1, 3), (-5, -1), (-1, 1)] {
            let q = ActivationQuantization(minimum: low, maximum: high)
            #expect(q.value(q.code(0)) == 0, "range \(low)...\(high): \(q)")
            #expect((0...255).contains(q.zeroPoint))
        }
        #expect(ActivationQuantization(minimum: 1, maximum: 3).zeroPoint == 0)
        #expect(ActivationQuantization(minimum: -5, maximum: -1).zeroPoint == 255)
    }

    @Test func roundsHalfToEvenAndClamps() throws {
        let q = try ActivationQuantization(scale: 0.5, zeroPoint: 10, key: "test")
        #expect(q.code(0.25) == 10)    // 0.5 → 0
        #expect(q.code(0.75) == 12)    // 1.5 → 2
        #expect(q.code(-100) == 0)
        #expect(q.code(1000) == 255)
        #expect(q.code(.nan) == 0)
    }

    @Test(arguments: Int8KernelPath.allCases.filter(\.isSupported))
    func everyPathAgreesWithOneValue(path: Int8KernelPath) {
        let q = ActivationQuantization(minimum: -1.3, maximum: 2.9)
        // Steps of a quarter code hit the halfway points; NaN and infinities at the end.
        let values = (0..<1200).map { Float($0) * q.scale / 4 - 1.5 } + [.nan, .infinity, -.infinity, 2.9, -1.3]
        var codes = [UInt8](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { v in
            codes.withUnsafeMutableBufferPointer { q.quantize(v.baseAddress!, count: values.count, into: $0.baseAddress!, path: path) }
        }
        #expect(codes == values.map { q.code($0) }, "path \(path)")
    }

    @Test func refusesBadParameters() {
        #expect(throws: (any Error).self) { try ActivationQuantization(scale: 0, zeroPoint: 0, key: "k") }
        #expect(throws: (any Error).self) { try ActivationQuantization(scale: .infinity, zeroPoint: 0, key: "k") }
        #expect(throws: (any Error).self) { try ActivationQuantization(scale: 1, zeroPoint: 256, key: "k") }
    }
}
