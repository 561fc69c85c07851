/// Ids of platform resources: a short kind prefix and 96 random bits, such as `ds_3f9a0c…`.
enum PlatformID {
    /// A new id of kind `prefix` (`ws`, `ds`, `blob`, …).
    static func make(_ prefix: String) -> String { "\(prefix)_\(KeySecret.randomHex(bytes: 12))" }

    /// Whether `text` looks like an id (prefix, underscore, hex), so it is safe in a path.
    static func isValid(_ text: String, prefix: String) -> Bool {
        text.hasPrefix(prefix + "_") && text.count == prefix.count + 25 && text.dropFirst(prefix.count + 1).allSatisfy(\.isHexDigit)
    }
}
