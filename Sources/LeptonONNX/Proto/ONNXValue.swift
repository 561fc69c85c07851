import LeptonTensor

/// A tensor as an ONNX graph sees it: a Lepton tensor (``ONNXElementType/leptonDType``) and the
/// ONNX element type it stands for, so that an `INT64` output is reported as `INT64` even though
/// Lepton computed it in `int32`.
public struct ONNXValue: @unchecked Sendable {
    /// The values, in `float32` or `int32`.
    public var tensor: Tensor
    /// The element type the graph declares for these values.
    public var elementType: ONNXElementType

    /// Wraps a tensor; its dtype must be the one Lepton uses for `elementType`.
    public init(_ tensor: Tensor, elementType: ONNXElementType) {
        checkPrecondition(elementType.leptonDType == tensor.dtype,
                          "ONNXValue: a \(elementType) value is held as \(elementType.leptonDType.map { "\($0)" } ?? "nothing"), got a \(tensor.dtype) tensor")
        self.tensor = tensor
        self.elementType = elementType
    }

    /// A `FLOAT` value.
    public init(float tensor: Tensor) { self.init(tensor, elementType: .float) }

    /// The shape.
    public var shape: [Int] { tensor.shape }
}
