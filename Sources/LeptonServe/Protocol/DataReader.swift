/// Converts the elements of an input's `data` (nested lists, flattened row-major) to a
/// datatype, appending each straight to the tensor's bytes; numbers outside the datatype's range
/// are refused (`1e39` is not an FP32, `256` not a UINT8), naming the input and the element.
struct DataReader {
    let datatype: V2DataType
    let name: String
    private(set) var bytes: [UInt8] = []
    private var strings: [[UInt8]] = []
    private var index = 0

    init(datatype: V2DataType, name: String) {
        self.datatype = datatype
        self.name = name
    }

    /// The converted elements.
    var elements: V2Tensor.Elements { datatype == .bytes ? .strings(strings) : .fixed(bytes) }

    /// Reads a value of `data`: lists recursively, packed runs element by element.
    mutating func read(_ node: JSONNode) throws {
        switch node {
        case .array(let list):
            for element in list { try read(element) }
        case .scalars(let run):
            if bytes.isEmpty, let size = datatype.elementSize { bytes.reserveCapacity(run.count * size) }
            try run.forEach { token in
                switch token {
                case "true": try scalar(.bool(true))
                case "false": try scalar(.bool(false))
                default: try number(token)
                }
            }
        default:
            try scalar(node)
        }
    }

    private mutating func scalar(_ node: JSONNode) throws {
        switch (node, datatype) {
        case (.number(let text), _): try number(text)
        case (.bool(let b), .bool): bytes.append(b ? 1 : 0); index += 1
        case (.string(let s), .bytes): strings.append(Array(s.utf8)); index += 1
        case (.string(let s), _): throw bad("\"\(s.prefix(20))\"")
        default: throw bad(node.kind)
        }
    }

    private func bad(_ shown: String, _ why: String = "") -> ServeError {
        ServeError.badRequest("input '\(name)': data must be a nested or flat list of \(datatype.rawValue) values; element \(index) is \(shown)\(why)")
    }

    private mutating func append<T>(_ value: T) {
        withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
        index += 1
    }

    private mutating func integer<T: FixedWidthInteger>(_: T.Type, _ text: String) throws {
        if let v = T(text) { append(v); return }
        guard let d = Double(text), d.rounded() == d else { throw bad(text) }
        guard let v = T(exactly: d) else { throw bad(text, ", outside the \(datatype.rawValue) range \(T.min)...\(T.max)") }
        append(v)
    }

    /// A floating-point value: JSON has no infinities, so one that rounds to ±inf is out of range.
    private mutating func floating<T: BinaryFloatingPoint>(_ value: T?, _ text: String, maximum: @autoclosure () -> String) throws {
        guard let value else { throw bad(text) }
        guard value.isFinite else { throw bad(text, ", outside the \(datatype.rawValue) range ±\(maximum())") }
        append(value)
    }

    private mutating func number(_ text: String) throws {
        switch datatype {
        case .uint8: try integer(UInt8.self, text)
        case .uint16: try integer(UInt16.self, text)
        case .uint32: try integer(UInt32.self, text)
        case .uint64: try integer(UInt64.self, text)
        case .int8: try integer(Int8.self, text)
        case .int16: try integer(Int16.self, text)
        case .int32: try integer(Int32.self, text)
        case .int64: try integer(Int64.self, text)
        case .fp32: try floating(Float(text), text, maximum: "\(Float.greatestFiniteMagnitude)")
        case .fp64: try floating(Double(text), text, maximum: "\(Double.greatestFiniteMagnitude)")
        case .fp16:
            #if arch(x86_64) || arch(arm64)
            try floating(Float(text).map { Float16($0) }, text, maximum: "65504")
            #else
            throw ServeError.badRequest("FP16 is not supported on this machine")
            #endif
        case .bool, .bytes: throw bad(text)
        }
    }
}
