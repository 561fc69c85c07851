/// A parsed JSON value whose numbers keep their text, so each is converted straight to the
/// datatype a tensor needs (`UINT64` and `INT64` exactly, `INT8` with a range check).
indirect enum JSONNode: Equatable {
    case null
    case bool(Bool)
    /// A number as written (JSON number grammar, already checked).
    case number(String)
    case string(String)
    case array([JSONNode])
    /// A list of numbers and Booleans only (tensor data), kept packed as its text: one boxed
    /// node per element would cost ~60 bytes each, 30× the text.
    case scalars(ScalarRun)
    case object([String: JSONNode])

    /// A short name of the kind of value, for error messages.
    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a Boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .scalars: return "a list of numbers or Booleans"
        case .object: return "an object"
        }
    }

    /// The value as a whole number that fits `Int`, if it is one.
    var int: Int? {
        guard case .number(let text) = self else { return nil }
        if let i = Int(text) { return i }
        if let d = Double(text), d.rounded() == d { return Int(exactly: d) }
        return nil
    }
}


extension JSONNode {
    /// Whether the value is a list (packed or not), without unpacking it.
    var isList: Bool { listCount != nil }

    /// The number of elements of a list, without unpacking it; nil for anything else.
    var listCount: Int? {
        switch self {
        case .array(let elements): return elements.count
        case .scalars(let run): return run.count
        default: return nil
        }
    }

    /// The elements of a list (a packed list unpacked: for short lists only), nil for anything else.
    var list: [JSONNode]? {
        switch self {
        case .array(let elements): return elements
        case .scalars(let run): return run.nodes
        default: return nil
        }
    }
}

/// The elements of a list of numbers and Booleans as they were written, separated by commas.
struct ScalarRun: Equatable {
    /// The elements' text joined by `,`.
    var text: [UInt8] = []
    /// How many elements.
    var count = 0

    mutating func append(_ token: UnsafeBufferPointer<UInt8>) {
        if count > 0 { text.append(UInt8(ascii: ",")) }
        text.append(contentsOf: token)
        count += 1
    }

    /// Calls `body` with each element's text, in order.
    func forEach(_ body: (String) throws -> Void) rethrows {
        guard count > 0 else { return }
        try text.withUnsafeBufferPointer { all in
            var start = 0
            for end in 0...all.count where end == all.count || all[end] == UInt8(ascii: ",") {
                // Tokens are short: a String this size is stored inline, without allocating.
                try body(String(decoding: UnsafeBufferPointer(rebasing: all[start..<end]), as: UTF8.self))
                start = end + 1
            }
        }
    }

    /// The elements as nodes.
    var nodes: [JSONNode] {
        var out: [JSONNode] = []
        out.reserveCapacity(count)
        forEach { token in out.append(token == "true" ? .bool(true) : token == "false" ? .bool(false) : .number(token)) }
        return out
    }
}
