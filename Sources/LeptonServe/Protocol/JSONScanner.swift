/// A strict JSON parser over bytes (RFC 8259) for inference request headers, which are parsed
/// on every request: Foundation's JSONDecoder spent about 50 µs on a 200-byte header here, most
/// of it in generic decoding machinery; this scanner is a single pass without it.
struct JSONScanner {
    /// A syntax error: what was expected, at which byte.
    struct SyntaxError: Error, CustomStringConvertible {
        let description: String
    }

    /// The document holds more values than the caller allows.
    struct TooManyValues: Error, CustomStringConvertible {
        let description: String
        /// Whether `maximumValues` was passed (rather than ``maximumNodes``).
        var isValueLimit = true
    }

    /// The most values held as separate nodes (strings, objects, nulls, lists, numbers outside
    /// a list of numbers): about 60 bytes each, so 1 Mi of them stay under ~64 MB. Numbers and
    /// Booleans in lists are packed as text and count only against `maximumValues`.
    static let maximumNodes = 1 << 20

    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0
    private var depth = 0
    private let maximumValues: Int
    private var values = 0
    private var nodes = 0

    /// Parses one JSON document (nothing but whitespace may follow it).
    /// - Parameter maximumValues: the most values (numbers, strings, lists, …) the document may
    ///   hold; parsing stops with ``TooManyValues`` past it, before memory grows further.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, maximumValues: Int = .max) throws -> JSONNode {
        var scanner = JSONScanner(bytes: bytes, maximumValues: maximumValues)
        let value = try scanner.value()
        scanner.skipWhitespace()
        guard scanner.i == bytes.count else { throw scanner.error("unexpected data after the JSON value") }
        return value
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, maximumValues: Int) {
        self.bytes = bytes
        self.maximumValues = maximumValues
    }

    private mutating func counted() throws {
        values += 1
        if values > maximumValues { throw TooManyValues(description: "the request holds more than \(maximumValues) JSON values") }
    }

    private mutating func countedNode() throws {
        try counted()
        nodes += 1
        if nodes > Self.maximumNodes {
            throw TooManyValues(description: "the request holds more than \(Self.maximumNodes) JSON strings, objects, lists or nulls "
                                + "(send large BYTES tensors in binary)", isValueLimit: false)
        }
    }

    private func error(_ message: String) -> SyntaxError {
        SyntaxError(description: "invalid JSON at byte \(i): \(message)")
    }

    private mutating func skipWhitespace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0a || bytes[i] == 0x0d || bytes[i] == 0x09 { i += 1 }
    }

    private mutating func value() throws -> JSONNode {
        skipWhitespace()
        guard i < bytes.count else { throw error("unexpected end of the document") }
        try countedNode()
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

    /// A list; while its elements are numbers and Booleans they are packed as text (``ScalarRun``).
    private mutating func array() throws -> JSONNode {
        try nest()
        i += 1
        var elements: [JSONNode] = []
        var run: ScalarRun? = ScalarRun()
        skipWhitespace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; depth -= 1; return .array(elements) }
        while true {
            skipWhitespace()
            if run != nil, i < bytes.count, let token = try scalarToken() {
                run?.append(token)
            } else {
                if let packed = run { elements = packed.nodes; run = nil }
                elements.append(try value())
            }
            skipWhitespace()
            guard i < bytes.count else { throw error("unexpected end inside a list") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") {
                i += 1
                depth -= 1
                return run.map { JSONNode.scalars($0) } ?? JSONNode.array(elements)
            }
            throw error("expected ',' or ']' in a list")
        }
    }

    /// A number, `true` or `false` at the current byte, as its text (nil for other values).
    private mutating func scalarToken() throws -> UnsafeBufferPointer<UInt8>? {
        let start = i
        switch bytes[i] {
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try numberEnd()
        default: return nil
        }
        try counted()
        return UnsafeBufferPointer(rebasing: bytes[start..<i])
    }

    private mutating func number() throws -> String {
        let start = try numberEnd()
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
    }

    /// Moves past a number (JSON grammar, checked); returns where it started.
    private mutating func numberEnd() throws -> Int {
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
        return start
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
