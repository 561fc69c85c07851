/// Ids of platform resources: a short kind prefix and 96 random bits, such as `ds_3f9a0c…`.
enum PlatformID {
    /// A new id of kind `prefix` (`ws`, `ds`, `blob`, …).
    static func make(_ prefix: String) -> String { "\(prefix)_\(KeySecret.randomHex(bytes: 12))" }

    /// Checks a user-chosen name of a dataset or model: 1 to 200 letters, digits, '-', '_' or '.'.
    /// - Throws: ``PlatformError`` (`badRequest`) naming the kind and the rule.
    static func checkName(_ name: String, kind: String) throws {
        guard !name.isEmpty, name.count <= 200, name != ".", name != "..",
              name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw PlatformError(.badRequest, "\(kind) name \"\(name)\" is invalid; expected 1 to 200 letters, digits, '-', '_' or '.'")
        }
    }

    /// Whether `text` looks like an id (prefix, underscore, hex), so it is safe in a path.
    static func isValid(_ text: String, prefix: String) -> Bool {
        text.hasPrefix(prefix + "_") && text.count == prefix.count + 25 && text.dropFirst(prefix.count + 1).allSatisfy(\.isHexDigit)
    }
}
