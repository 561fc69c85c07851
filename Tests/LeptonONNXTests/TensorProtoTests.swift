import Foundation
import LeptonONNX
import LeptonTensor
import Testing

/// `TensorProto` ↔ Lepton tensors: every stored form decodes, encoding round-trips, and tensors
/// whose dims disagree with their data are refused before anything is allocated.
@Suite struct TensorProtoTests {
    @Test func floatRawDataRoundTrips() throws {
        let tensor = Tensor([1.5, -2, 0.25, 3e-8, 1e20, -0.0], shape: [2, 3])
        let proto = Onnx_TensorProto(tensor, name: "w")
        #expect(proto.dims == [2, 3] && proto.dataType == 1 && proto.rawData.count == 24)
        let value = try proto.value(context: "initializer")
        #expect(value.elementType == .float && value.shape == [2, 3])
        #expect(value.tensor.scalars == tensor.scalars)
    }

    @Test func integerTypesDecodeFromRawAndTypedFields() throws {
        let ints = Tensor(int32: [-3, 0, 7, 2_000_000_000], shape: [4])
        for type in [ONNXElementType.int64, .int32, .uint64] {
            let value = try Onnx_TensorProto(ints, name: "i", as: type).value(context: "t")
            #expect(value.elementType == type)
            // -3 written as UINT64 reads back as 2^64 - 3, clamped to Int32.max.
            let expected: [Int32] = type == .uint64 ? [Int32.max, 0, 7, 2_000_000_000] : [-3, 0, 7, 2_000_000_000]
            #expect(value.tensor.int32Scalars == expected)
        }
        var typed = Onnx_TensorProto()
        typed.dataType = ONNXElementType.int64.rawValue
        typed.dims = [3]
        typed.int64Data = [1, Int64.max, -Int64.max]
        #expect(try typed.value(context: "t").tensor.int32Scalars == [1, Int32.max, Int32.min])
        var bools = Onnx_TensorProto()
        bools.dataType = ONNXElementType.bool.rawValue
        bools.dims = [3]
        bools.rawData = Data([0, 1, 5])
        #expect(try bools.value(context: "t").tensor.int32Scalars == [0, 1, 1])
        var bytes = Onnx_TensorProto()
        bytes.dataType = ONNXElementType.uint8.rawValue
        bytes.dims = [2]
        bytes.int32Data = [255, 3]
        #expect(try bytes.value(context: "t").tensor.int32Scalars == [255, 3])
    }

    @Test func floatingTypesDecode() throws {
        var doubles = Onnx_TensorProto()
        doubles.dataType = ONNXElementType.double.rawValue
        doubles.dims = [2]
        doubles.doubleData = [0.5, -1.25]
        #expect(try doubles.value(context: "t").tensor.scalars == [0.5, -1.25])
        let halves = Onnx_TensorProto(Tensor([1, -2.5, 65504, 0.000061035156, 5.96e-8], shape: [5]), name: "h", as: .float16)
        #expect(halves.rawData.count == 10)
        let decoded = try halves.value(context: "t").tensor.scalars
        #expect(decoded[0] == 1 && decoded[1] == -2.5 && decoded[2] == 65504)
        #expect(abs(decoded[3] - 0.000061035156) < 1e-9 && abs(decoded[4] - 5.96e-8) < 1e-9)
        #expect(HalfPrecision.float(fromHalf: 0x7c00) == .infinity && HalfPrecision.float(fromHalf: 0x7e00).isNaN)
        #expect(HalfPrecision.half(fromFloat: 1e6) == 0x7c00)
        let brain = Onnx_TensorProto(Tensor([1, -3, 0.5], shape: [3]), name: "b", as: .bfloat16)
        #expect(try brain.value(context: "t").tensor.scalars == [1, -3, 0.5])
    }

    @Test func dimsThatDisagreeWithTheDataAreRefused() {
        var proto = Onnx_TensorProto(Tensor([1, 2, 3, 4], shape: [4]), name: "w")
        proto.dims = [1 << 40, 1 << 40]
        #expect(throws: ONNXError.self) { try proto.value(context: "initializer") }
        proto.dims = [5]
        expectError(proto, contains: "need 5 FLOAT elements but the tensor stores 4")
        proto.dims = [-1, 4]
        expectError(proto, contains: "negative dimension")
        proto.dims = [4]
        proto.rawData = Data(count: 15)
        expectError(proto, contains: "stores -1")
        proto.rawData = Data(count: 16)
        proto.dataLocation = .external
        expectError(proto, contains: "external file")
        var strings = Onnx_TensorProto()
        strings.dataType = ONNXElementType.string.rawValue
        expectError(strings, contains: "STRING tensors are not supported")
        var unknown = Onnx_TensorProto()
        unknown.dataType = 27
        expectError(unknown, contains: "element type 27 is not supported")
    }

    @Test func malformedModelBytesAreRefused() throws {
        #expect(throws: ONNXError.self) { try ONNXModelFile.parse(Data([0xff, 0xff, 0xff, 0xff, 0x0f]), context: "bad.onnx") }
        #expect(throws: ONNXError.self) { try ONNXModelFile.parse(Data(), context: "empty.onnx") }
        // A length-delimited field (graph = 7) claiming 2 GiB of bytes that are not there.
        #expect(throws: ONNXError.self) { try ONNXModelFile.parse(Data([0x3a, 0xff, 0xff, 0xff, 0xff, 0x07, 0x01]), context: "x") }
        let missing = URL(fileURLWithPath: "/nonexistent/model.onnx")
        do { _ = try ONNXModelFile.read(missing); Issue.record("expected an error") } catch let error as ONNXError {
            #expect(error.description.contains("file not found"))
        }
    }

    private func expectError(_ proto: Onnx_TensorProto, contains text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try proto.value(context: "initializer")
            Issue.record("expected an error containing \(text)", sourceLocation: sourceLocation)
        } catch {
            #expect("\(error)".contains(text), "\(error)", sourceLocation: sourceLocation)
        }
    }
}
