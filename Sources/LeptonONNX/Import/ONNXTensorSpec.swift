import LeptonTensor

/// A graph input or output as a caller sees it: its name, element type and shape, with `-1`
/// for a dimension that varies (a symbolic or missing dimension, such as the batch).
public struct ONNXTensorSpec: Sendable, Equatable, CustomStringConvertible {
    /// The value's name in the graph.
    public var name: String
    /// The ONNX element type the graph declares.
    public var elementType: ONNXElementType
    /// Dimensions, `-1` where any size is accepted; nil when the graph declares no shape at all.
    public var shape: [Int]?
    /// The graph's name for each dimension (`"batch"`), nil where it gives none (a fixed or
    /// unnamed dimension); nil when the graph declares no shape. Not part of equality.
    public var dimensionNames: [String?]?

    /// A spec; `shape` uses `-1` for variable dimensions.
    public init(name: String, elementType: ONNXElementType, shape: [Int]?) {
        self.name = name
        self.elementType = elementType
        self.shape = shape
    }

    /// Equal name, element type and shape (dimension names are not compared).
    public static func == (a: ONNXTensorSpec, b: ONNXTensorSpec) -> Bool {
        a.name == b.name && a.elementType == b.elementType && a.shape == b.shape
    }

    /// The Lepton dtype holding the values (every spec of an imported graph has one).
    public var dtype: DType { elementType.leptonDType ?? .float32 }

    /// `x: FLOAT [-1, 3, 224, 224]`.
    public var description: String {
        "\(name): \(elementType) " + (shape.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" } ?? "(any shape)")
    }

    /// Whether a tensor of `shape` fits this spec (same rank, equal fixed dimensions).
    public func accepts(shape actual: [Int]) -> Bool {
        guard let shape else { return true }
        return shape.count == actual.count && zip(shape, actual).allSatisfy { $0 == -1 || $0 == $1 }
    }

    /// Reads a `ValueInfoProto`.
    /// - Throws: ``ONNXError`` for a value that is not a tensor (sequences, maps, optionals) or
    ///   whose element type Lepton cannot hold.
    static func from(_ info: Onnx_ValueInfoProto, context: String) throws -> ONNXTensorSpec {
        let place = "\(context) '\(info.name)'"
        guard info.hasType, case .tensorType(let tensorType)? = info.type.value else {
            let kind: String
            switch info.type.value {
            case .sequenceType?: kind = "a sequence"
            case .mapType?: kind = "a map"
            case .optionalType?: kind = "an optional"
            case .sparseTensorType?: kind = "a sparse tensor"
            default: kind = "of no declared type"
            }
            throw ONNXError("is \(kind); Lepton imports dense tensors only", context: place)
        }
        let type = try ONNXElementType.from(tensorType.elemType, context: place)
        guard type.leptonDType != nil else {
            throw ONNXError("\(type) values are not supported (Lepton holds numbers and booleans)", context: place)
        }
        var shape: [Int]?
        var names: [String?]?
        if tensorType.hasShape {
            shape = tensorType.shape.dim.map { dim in
                if case .dimValue(let v)? = dim.value, v >= 0, v <= Int64(Int32.max) { return Int(v) }
                return -1
            }
            names = tensorType.shape.dim.map { dim in
                if case .dimParam(let name)? = dim.value, !name.isEmpty { return name }
                return nil
            }
        }
        var spec = ONNXTensorSpec(name: info.name, elementType: type, shape: shape)
        spec.dimensionNames = names
        return spec
    }
}
