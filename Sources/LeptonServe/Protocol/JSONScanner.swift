/// A parsed JSON value whose numbers keep their text, so each is converted straight to the
/// datatype a tensor needs (`UINT64` and `INT64` exactly, `INT8` with a range check).
indirect enum JSONNode: Equatable {
    case null
    case bool(Bool)
    /// A number as written (JSON number grammar, already checked).
    case number(String)
    case string(String)
    case array([JSONNode])
    case object([String: JSONNode])

    /// A short name of the kind of value, for error messages.
    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a Boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
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

/// A strict JSON parser over bytes (RFC 8259) for inference request headers, which are parsed
/// on every request: Foundation's JSONDecoder spent about 50 µs on a 200-byte header here, most
/// of it in generic decoding machinery; this scanner is a single pass without it.
struct JSONScanner {
    /// A syntax error: what was expected, at which byte.
    struct SyntaxError: Error, CustomStringConvertible {
        let description: String
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0
    private var depth = 0

    /// Parses one JSON document (nothing but whitespace may follow it).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws -> JSONNode {
        var scanner = JSONScanner(bytes: bytes)
        let value = try scanner.value()
        scanner.skipWhitespace()
        guard scanner.i == bytes.count else { throw scanner.error("unexpected data after the JSON value") }
        return value
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private func error(_ message: String) -> SyntaxError {
        SyntaxError(description: "invalid JSON at byte \(i): \(message)")
    }

    private mutating func skipWhitespace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0a || bytes[i] == 0x0d || bytes[i] == 0x09 { i += 1 }
    }

    private mutating func value() throws -> JSONNode {
        skipWhitespace()
        guard i < bytes.count else { throw error("unexpected end of the document") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error("unexpected character '\(Character(Unicode.Scalar(bytes[i])))'")
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count, (0..<n).allSatisfy({ bytes[i + $0] == word.utf8Start[$0] }) else {
            throw error("expected \(word)")
        }
        i += n
    }

    private mutating func nest() throws {
        depth += 1
        if depth > 64 { throw error("nested more than 64 levels deep") }
    }

    private mutating func object() throws -> JSONNode {
        try nest()
        i += 1
        var members: [String: JSONNode] = [:]
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; depth -= 1; return .object(members) }
        while true {
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw error("expected a member name in quotes") }
            let key = try string()
            skipWhitespace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected ':' after \"\(key)\"") }
            i += 1
            members[key] = try value()
            skipWhitespace()
            guard i < bytes.count else { throw error("unexpected end inside an object") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; depth -= 1; return .object(members) }
            throw error("expected ',' or '}' in an object")
        }
    }

    private mutating func array() throws -> JSONNode {
        try nest()
        i += 1
        var elements: [JSONNode] = []
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; depth -= 1; return .array(elements) }
        while true {
            elements.append(try value())
            skipWhitespace()
            guard i < bytes.count else { throw error("unexpected end inside a list") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; depth -= 1; return .array(elements) }
            throw error("expected ',' or ']' in a list")
        }
    }

    private mutating func number() throws -> String {
        let start = i
        func digits() -> Int {
            let from = i
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
            return i - from
        }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        guard digits() > 0 else { throw error("expected digits in a number") }
        if bytes[intStart] == UInt8(ascii: "0"), i - intStart > 1 { throw error("a number may not start with 0") }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { throw error("expected digits after '.'") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw error("expected digits in an exponent") }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
    }

    private mutating func string() throws -> String {
        i += 1
        let start = i
        var plain = true
        while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
            if bytes[i] == UInt8(ascii: "\\") { plain = false; i += 2; continue }
            guard bytes[i] >= 0x20 else { throw error("control character in a string") }
            i += 1
        }
        guard i < bytes.count else { throw error("unterminated string") }
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<i])
        i += 1
        if plain { return String(decoding: raw, as: UTF8.self) }
        return try unescape(raw)
    }

    private func unescape(_ raw: UnsafeBufferPointer<UInt8>) throws -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var k = 0
        func hex4(_ at: Int) throws -> UInt32 {
            guard at + 4 <= raw.count, let v = UInt32(String(decoding: UnsafeBufferPointer(rebasing: raw[at..<(at + 4)]), as: UTF8.self), radix: 16) else {
                throw error("bad \\u escape in a string")
            }
            return v
        }
        while k < raw.count {
            guard raw[k] == UInt8(ascii: "\\") else { out.append(raw[k]); k += 1; continue }
            guard k + 1 < raw.count else { throw error("bad escape in a string") }
            let c = raw[k + 1]
            k += 2
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(c)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0c)
            case UInt8(ascii: "n"): out.append(0x0a)
            case UInt8(ascii: "r"): out.append(0x0d)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(k)
                k += 4
                if (0xD800..<0xDC00).contains(scalar), k + 6 <= raw.count, raw[k] == UInt8(ascii: "\\"), raw[k + 1] == UInt8(ascii: "u") {
                    let low = try hex4(k + 2)
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        k += 6
                    }
                }
                guard let u = Unicode.Scalar(scalar) else { throw error("\\u escape is not a Unicode scalar") }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default: throw error("bad escape '\\\(Character(Unicode.Scalar(c)))' in a string")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
