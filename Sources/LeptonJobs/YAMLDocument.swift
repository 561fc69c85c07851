import Foundation
import LeptonFiles
import LeptonNN
import Yams

/// Reads a YAML training config into a ``ConfigValue`` within fixed bounds, checked before the
/// document is expanded: its size, its flow-collection nesting (the YAML parser recurses), and
/// the number of nodes once aliases are expanded — a "billion laughs" document of a few
/// hundred bytes names 10⁹ nodes through nested aliases and used to grow past 4 GB — and no
/// base-60 integer that would overflow while Yams reads it.
public enum YAMLDocument {
    /// The largest config file read, in bytes.
    public static let maximumBytes = 4 << 20
    /// The deepest nesting of `[…]` / `{…}` collections.
    public static let maximumNesting = 64
    /// The most nodes the document may hold with every alias expanded.
    public static let maximumNodes = 100_000

    /// Reads and parses the YAML file at `path`.
    /// - Throws: ``ConfigError`` naming the file and the bound or syntax error.
    public static func read(_ path: String) throws -> ConfigValue {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        if let size, size > maximumBytes {
            throw ConfigError("\(path): \(size) bytes; a config may hold at most \(maximumBytes) bytes")
        }
        guard let data = FileContents.read(atPath: path), data.count <= maximumBytes,
              let text = String(data: data, encoding: .utf8) else {
            throw ConfigError("\(path): cannot read the file (missing, not a regular file of at most \(maximumBytes) bytes, or not UTF-8 text)")
        }
        do {
            return try parse(text)
        } catch let error as ConfigError {
            throw ConfigError("\(path): \(error.description)")
        }
    }

    /// Parses YAML text.
    /// - Throws: ``ConfigError`` for a document beyond the bounds or not valid YAML.
    public static func parse(_ text: String) throws -> ConfigValue {
        guard text.utf8.count <= maximumBytes else {
            throw ConfigError("\(text.utf8.count) bytes; a config may hold at most \(maximumBytes) bytes")
        }
        let nesting = flowNesting(text)
        guard nesting <= maximumNesting else {
            throw ConfigError("collections nested \(nesting) deep; at most \(maximumNesting) levels are read")
        }
        do {
            guard let node = try Yams.compose(yaml: text) else { return .null }
            var budget = maximumNodes
            try count(node, budget: &budget)
            return try YAMLDecoder().decode(ConfigValue.self, from: node)
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError("not valid YAML (\("\(error)".split(whereSeparator: \.isNewline).joined(separator: " ")))")
        }
    }

    /// Counts `node`'s nodes with aliases expanded, stopping as soon as `budget` runs out (an
    /// alias shares its anchor's storage, so the walk — not the parse — is what would explode).
    private static func count(_ node: Node, budget: inout Int) throws {
        budget -= 1
        guard budget >= 0 else {
            throw ConfigError("the document expands to more than \(maximumNodes) nodes (aliases of aliases?); refused")
        }
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                try count(key, budget: &budget)
                try count(value, budget: &budget)
            }
        case .sequence(let sequence):
            for element in sequence { try count(element, budget: &budget) }
        case .scalar(let scalar):
            if overflowsAsBase60(scalar) {
                throw ConfigError("'\(scalar.string.prefix(40))\(scalar.string.count > 40 ? "…" : "")' reads as a YAML 1.1 base-60 "
                                  + "integer (1:30 = 90) too large for a 64-bit integer; quote it if it is text")
            }
        case .alias:
            break
        }
    }

    /// Whether Yams would read `scalar` as a YAML 1.1 base-60 integer (`1:30` = 90) whose value —
    /// or the power of 60 it computes after its last digit — overflows `Int`: Yams multiplies
    /// without overflow checks, which stops the process (a fuzzer's find: `1:1:1:1:1:1:1:1:1:1:1:1`).
    /// Mirrors Yams's steps: plain scalars, `_` removed, a sign, no leading `0` (octal), decimal
    /// parts between the colons.
    static func overflowsAsBase60(_ scalar: Node.Scalar) -> Bool {
        guard scalar.style == .plain || scalar.style == .any else { return false }
        var text = Substring(scalar.string.replacingOccurrences(of: "_", with: ""))
        guard text.contains(":") else { return false }
        let negative = text.hasPrefix("-")
        if negative || text.hasPrefix("+") { text = text.dropFirst() }
        guard !text.hasPrefix("0") else { return false }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let digits = parts.compactMap { Int($0, radix: 10) }
        guard digits.count == parts.count else { return false }
        var base = 1, value = 0
        for digit in digits.reversed() {
            let (product, o1) = digit.multipliedReportingOverflow(by: base)
            let (sum, o2) = value.addingReportingOverflow(product)
            let (next, o3) = base.multipliedReportingOverflow(by: 60)
            if o1 || o2 || o3 { return true }
            (value, base) = (sum, next)
        }
        return value.multipliedReportingOverflow(by: negative ? -1 : 1).overflow
    }

    /// The deepest nesting of `[` and `{` outside quotes and comments (an upper bound on what
    /// the parser's recursion meets in flow style; block style needs ever longer lines to nest).
    static func flowNesting(_ text: String) -> Int {
        var depth = 0, deepest = 0
        var quote: UInt8?
        var comment = false
        var previous: UInt8 = 0x0A
        for byte in text.utf8 {
            defer { previous = byte }
            if comment { if byte == 0x0A { comment = false }; continue }
            if let q = quote { if byte == q { quote = nil }; continue }
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "'"): quote = byte
            case UInt8(ascii: "#") where previous == 0x20 || previous == 0x0A || previous == 0x09: comment = true
            case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1; deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth = max(0, depth - 1)
            default: break
            }
        }
        return deepest
    }
}
