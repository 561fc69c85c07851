import Foundation
import LeptonONNX
import LeptonTensor
import Testing

/// The 8- and 4-bit float formats: decoding, rounding with ONNX's saturation rules (values
/// checked against ml_dtypes), and packed 4-bit raw data.
@Suite struct MiniFloatTests {
    @Test func decodesEachFormat() {
        #expect(MiniFloat.decode(0x7e, as: .float8e4m3fn) == 448)
        #expect(MiniFloat.decode(0x7f, as: .float8e4m3fn).isNaN)
        #expect(MiniFloat.decode(0x01, as: .float8e4m3fn) == Float(sign: .plus, exponent: -9, significand: 1))
        #expect(MiniFloat.decode(0x80, as: .float8e4m3fnuz).isNaN && MiniFloat.decode(0x7f, as: .float8e4m3fnuz) == 240)
        #expect(MiniFloat.decode(0x7c, as: .float8e5m2) == .infinity && MiniFloat.decode(0x7b, as: .float8e5m2) == 57344)
        #expect(MiniFloat.decode(0x80, as: .float8e5m2fnuz).isNaN)
        #expect(MiniFloat.decode(0x7, as: .float4e2m1) == 6 && MiniFloat.decode(0xf, as: .float4e2m1) == -6)
        #expect(MiniFloat.decode(127, as: .float8e8m0) == 1 && MiniFloat.decode(0xff, as: .float8e8m0).isNaN)
    }

    @Test func roundsToNearestEvenAndSaturates() {
        // ml_dtypes: 449 and 464 → 448 (a tie goes to the even mantissa), 480 → NaN without saturation.
        #expect(MiniFloat.round(449, to: .float8e4m3fn, saturate: false) == 448)
        #expect(MiniFloat.round(464, to: .float8e4m3fn, saturate: false) == 448)
        #expect(MiniFloat.round(480, to: .float8e4m3fn, saturate: false).isNaN)
        #expect(MiniFloat.round(1e6, to: .float8e4m3fn) == 448 && MiniFloat.round(-.infinity, to: .float8e4m3fn) == -448)
        #expect(MiniFloat.round(61440, to: .float8e5m2, saturate: false) == .infinity)
        #expect(MiniFloat.round(1e6, to: .float8e5m2fnuz, saturate: false).isNaN)
        #expect(MiniFloat.round(0.001, to: .float8e4m3fn) == 0.001953125)
        #expect(MiniFloat.round(-1e-9, to: .float8e4m3fnuz).sign == .plus, "FNUZ formats have no negative zero")
        #expect(MiniFloat.round(9, to: .float4e2m1, saturate: false) == 6 && MiniFloat.round(5, to: .float4e2m1) == 4)
        #expect(MiniFloat.round(3, to: .float8e8m0) == 4 && MiniFloat.round(3, to: .float8e8m0, roundMode: "down") == 2)
        for type in [ONNXElementType.float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float4e2m1] {
            for bits in 0..<(type == .float4e2m1 ? 16 : 256) {
                let value = MiniFloat.decode(UInt8(bits), as: type)
                guard value.isFinite else { continue }
                #expect(MiniFloat.decode(MiniFloat.encode(value, as: type), as: type) == value, "\(type) \(bits)")
            }
        }
    }

    @Test func packedAndMiniFloatTensorsRoundTrip() throws {
        let ints = Tensor(int32: [-8, 7, 3, -1, 5], shape: [5])
        let proto = Onnx_TensorProto(ints, name: "q", as: .int4)
        #expect(proto.rawData == Data([0x78, 0xf3, 0x05]))
        #expect(try proto.value(context: "t").tensor.int32Scalars == [-8, 7, 3, -1, 5])
        var short = proto
        short.dims = [7]
        #expect(throws: ONNXError.self) { try short.value(context: "t") }
        let floats = Onnx_TensorProto(Tensor([0.5, -448, 3.1], shape: [3]), name: "f", as: .float8e4m3fn)
        #expect(try floats.value(context: "t").tensor.scalars == [0.5, -448, 3])
    }
}
