/// A V2 inference response: the model that answered, the echoed `id`, and the output tensors,
/// each sent as JSON `data` or as binary after the JSON header.
public struct InferResponse: Sendable {
    /// The model's name.
    public var modelName: String
    /// The version that answered.
    public var modelVersion: String
    /// The request's `id`, echoed.
    public var id: String?
    /// The outputs, each with whether it goes in binary.
    public var outputs: [(tensor: V2Tensor, binary: Bool)]

    /// Creates a response.
    public init(modelName: String, modelVersion: String, id: String?, outputs: [(tensor: V2Tensor, binary: Bool)]) {
        self.modelName = modelName
        self.modelVersion = modelVersion
        self.id = id
        self.outputs = outputs
    }

    /// The JSON header (keys sorted), with `data` for JSON outputs and
    /// `parameters.binary_data_size` for binary ones (`binarySizes`, in output order).
    func jsonHeader(binarySizes: [Int?]) -> [UInt8] {
        var w = JSONWriter()
        w.raw("{")
        if let id { w.raw("\"id\":"); w.string(id); w.raw(",") }
        w.raw("\"model_name\":"); w.string(modelName)
        w.raw(",\"model_version\":"); w.string(modelVersion)
        w.raw(",\"outputs\":[")
        for (k, (tensor, _)) in outputs.enumerated() {
            if k > 0 { w.raw(",") }
            w.raw("{")
            if let size = binarySizes[k] {
                w.raw("\"datatype\":"); w.string(tensor.datatype.rawValue)
                w.raw(",\"name\":"); w.string(tensor.name)
                w.raw(",\"parameters\":{\"binary_data_size\":\(size)}")
            } else {
                w.raw("\"data\":"); w.elements(tensor)
                w.raw(",\"datatype\":"); w.string(tensor.datatype.rawValue)
                w.raw(",\"name\":"); w.string(tensor.name)
            }
            w.raw(",\"shape\":[\(tensor.shape.map(String.init).joined(separator: ","))]}")
        }
        w.raw("]}")
        return w.bytes
    }
}

/// Writes JSON text for responses: escaped strings and flat element lists of every datatype.
struct JSONWriter {
    var bytes: [UInt8] = []

    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0a: raw("\\n")
            case 0x0d: raw("\\r")
            case 0x09: raw("\\t")
            case ..<0x20:
                let hex = String(b, radix: 16)
                raw("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A floating-point number, shortest round-trip form; non-finite values as strings ("nan", "inf", "-inf").
    mutating func number<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F) {
        if value.isFinite { raw(value.description) } else { string(value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf")) }
    }

    mutating func list<T>(_ values: [T], _ write: (inout JSONWriter, T) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (k, v) in values.enumerated() {
            if k > 0 { bytes.append(UInt8(ascii: ",")) }
            write(&self, v)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// A tensor's elements as a flat list of its datatype's JSON values.
    mutating func elements(_ tensor: V2Tensor) {
        func integers<T: FixedWidthInteger>(_: T.Type) { list(tensor.typed(T.self)) { $0.raw(String($1)) } }
        switch tensor.datatype {
        case .bool: list(tensor.typed(UInt8.self)) { $0.raw($1 != 0 ? "true" : "false") }
        case .uint8: integers(UInt8.self)
        case .uint16: integers(UInt16.self)
        case .uint32: integers(UInt32.self)
        case .uint64: integers(UInt64.self)
        case .int8: integers(Int8.self)
        case .int16: integers(Int16.self)
        case .int32: integers(Int32.self)
        case .int64: integers(Int64.self)
        case .fp16:
            #if arch(x86_64) || arch(arm64)
            list(tensor.typed(Float16.self)) { $0.number(Float($1)) }
            #else
            raw("[]")
            #endif
        case .fp32: list(tensor.typed(Float.self)) { $0.number($1) }
        case .fp64: list(tensor.typed(Double.self)) { $0.number($1) }
        case .bytes:
            guard case .strings(let strings) = tensor.elements else { raw("[]"); return }
            list(strings) { $0.string(String(decoding: $1, as: UTF8.self)) }
        }
    }
}
