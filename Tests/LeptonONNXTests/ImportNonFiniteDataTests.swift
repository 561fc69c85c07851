import Foundation
import LeptonONNX
import LeptonTensor
import Testing

/// Tensor data that no float→int conversion can take (±inf, NaN, 1e30) reaches ops that turn
/// floats into indices: each refuses it with an error naming the node, or handles a far but
/// finite value, instead of stopping the process (issue 19: a JSON 1e39 is +inf in FP32).
@Suite struct ImportNonFiniteDataTests {
    typealias B = ModelBuilder

    func run(_ op: String, opset: Int, inputs: [(String, ONNXElementType, Tensor)], outputs: [(String, ONNXElementType)] = [("y", .float)],
             initializers: [Onnx_TensorProto] = [], _ attributes: [Onnx_AttributeProto] = []) -> String {
        let model = B.model(nodes: [B.node(op, inputs.map(\.0) + initializers.map(\.name), outputs.map(\.0), name: "n", attributes)],
                            inputs: inputs.map { B.value($0.0, $0.1) }, outputs: outputs.map { B.value($0.0, $0.1) },
                            initializers: initializers, opset: opset)
        return B.error { _ = try ONNXImporter.importModel(model).run(inputs.map(\.2)) }
    }

    @Test func gridSampleRefusesNonFiniteCoordinatesAndSamplesFarOnes() {
        let x = Tensor([1, 2, 3, 4], shape: [1, 1, 2, 2])
        for mode in ["bilinear", "nearest", "bicubic"] {
            for padding in ["zeros", "border", "reflection"] {
                let attributes: [Onnx_AttributeProto] = [.string("mode", mode), .string("padding_mode", padding)]
                for bad: Float in [.infinity, -.infinity, .nan] {
                    let message = run("GridSample", opset: 16, inputs: [("x", .float, x), ("grid", .float, Tensor([bad, 0], shape: [1, 1, 1, 2]))],
                                      attributes)
                    #expect(message.contains("'n' (GridSample)") && message.contains("needs finite coordinates"), "\(mode) \(padding) \(bad): \(message)")
                }
                for far: Float in [1e30, -1e30, 3e38] {
                    let message = run("GridSample", opset: 16, inputs: [("x", .float, x), ("grid", .float, Tensor([far, far], shape: [1, 1, 1, 2]))],
                                      attributes)
                    #expect(message.isEmpty, "\(mode) \(padding) \(far): \(message)")
                }
            }
        }
    }

    @Test func dynamicQuantizeLinearRefusesNonFiniteValuesAndSaturatesExtremeOnes() throws {
        for bad: Float in [.infinity, -.infinity, .nan] {
            let message = run("DynamicQuantizeLinear", opset: 17, inputs: [("x", .float, Tensor([1, bad], shape: [2]))],
                              outputs: [("y", .uint8), ("scale", .float), ("zero", .uint8)])
            #expect(message.contains("'n' (DynamicQuantizeLinear)") && message.contains("needs finite values"), "\(bad): \(message)")
        }
        let model = B.model(nodes: [B.node("DynamicQuantizeLinear", ["x"], ["y", "scale", "zero"])], inputs: [B.value("x")],
                            outputs: [B.value("y", .uint8), B.value("scale"), B.value("zero", .uint8)])
        let out = try ONNXImporter.importModel(model).run([Tensor([-3e38, 0, 3e38], shape: [3])])
        #expect(out[0].tensor.int32Scalars.allSatisfy { (0...255).contains($0) })
    }

    @Test func resizeRefusesNonFiniteOrFarRegions() {
        let x = Tensor([1, 2, 3, 4], shape: [1, 1, 2, 2])
        let scales = Onnx_TensorProto(Tensor([1, 1, 2, 2], shape: [4]), name: "scales")
        let attributes: [Onnx_AttributeProto] = [.string("mode", "linear"), .string("coordinate_transformation_mode", "tf_crop_and_resize")]
        for (bad, expected) in [(Float.infinity, "Resize needs finite region bounds"), (.nan, "Resize needs finite region bounds"),
                                (1e30, "not a finite position")] {
            let roi = Tensor([0, 0, 0, 0, 1, 1, bad, 1], shape: [8])
            let message = run("Resize", opset: 13, inputs: [("x", .float, x), ("roi", .float, roi)], initializers: [scales], attributes)
            #expect(message.contains("'n' (Resize)") && message.contains(expected), "\(bad): \(message)")
        }
    }

    @Test func roiAlignRefusesNonFiniteBoxesAndSkipsHugeOnes() {
        let x = Tensor((0..<16).map(Float.init), shape: [1, 1, 4, 4])
        let batch = Tensor(int32: [0], shape: [1])
        for bad: Float in [.infinity, .nan] {
            let message = run("RoiAlign", opset: 16, inputs: [("x", .float, x), ("rois", .float, Tensor([0, 0, bad, 2], shape: [1, 4])),
                                                             ("batch", .int64, batch)])
            #expect(message.contains("'n' (RoiAlign)") && message.contains("needs finite box corners"), "\(bad): \(message)")
        }
        let huge = run("RoiAlign", opset: 16, inputs: [("x", .float, x), ("rois", .float, Tensor([0, 0, 3e38, 3e38], shape: [1, 4])),
                                                      ("batch", .int64, batch)])
        #expect(huge.contains("needs too many samples"), "\(huge)")
        let negative = run("RoiAlign", opset: 16, inputs: [("x", .float, x), ("rois", .float, Tensor([3, 3, -3e38, -3e38], shape: [1, 4])),
                                                          ("batch", .int64, batch)])
        #expect(negative.isEmpty, "\(negative)")
    }

    @Test func deformConvRefusesNonFiniteOffsetsAndReadsZeroFarAway() {
        let x = Tensor((0..<9).map(Float.init), shape: [1, 1, 3, 3]), w = Tensor.ones([1, 1, 2, 2])
        for bad: Float in [.infinity, .nan] {
            var offsets = [Float](repeating: 0, count: 32)
            offsets[5] = bad
            let message = run("DeformConv", opset: 19, inputs: [("x", .float, x), ("w", .float, w), ("offset", .float, Tensor(offsets, shape: [1, 8, 2, 2]))])
            #expect(message.contains("'n' (DeformConv)") && message.contains("non-finite sampling position"), "\(bad): \(message)")
        }
        let far = run("DeformConv", opset: 19, inputs: [("x", .float, x), ("w", .float, w),
                                                        ("offset", .float, Tensor([Float](repeating: 1e30, count: 32), shape: [1, 8, 2, 2]))])
        #expect(far.isEmpty, "\(far)")
    }

    @Test func melWeightMatrixRefusesNonFiniteEdges() {
        let ints = [("mels", ONNXElementType.int64, Tensor(int32: [4], shape: [])), ("dft", .int64, Tensor(int32: [16], shape: [])),
                    ("rate", .int64, Tensor(int32: [8000], shape: []))]
        for bad: Float in [.infinity, .nan, 3e38] {
            let message = run("MelWeightMatrix", opset: 17, inputs: ints + [("low", .float, Tensor([0], shape: [])), ("high", .float, Tensor([bad], shape: []))])
            #expect(message.contains("'n' (MelWeightMatrix)"), "\(bad): \(message)")
        }
    }
}
