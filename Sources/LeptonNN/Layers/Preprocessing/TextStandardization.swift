/// How ``TextVectorization`` prepares a text before splitting it into tokens
/// (`keras.layers.TextVectorization`'s `standardize`).
public enum TextStandardization: String, CaseIterable, Sendable {
    /// Lower case, then remove ASCII punctuation (Keras's default: `"it's well-made!"` → `its wellmade`).
    case lowerAndStripPunctuation = "lower_and_strip_punctuation"
    /// Lower case only.
    case lower
    /// The text as it is.
    case none

    /// Calls `body` with each token of `text` as UTF-8 bytes, in order, until it returns false.
    ///
    /// One pass over the text's Unicode scalars, keeping only the current token: a text of any
    /// length costs no more memory than its longest token. Tokens are separated by runs of ASCII
    /// whitespace (space, tab, line feed, carriage return, vertical tab, form feed; TensorFlow's
    /// `tf.strings.split`); lower-casing maps each scalar by Unicode's simple lowercase mapping
    /// (onnxruntime's `StringNormalizer`; no context, so a final `Σ` becomes `σ`); the punctuation
    /// removed is the 32 ASCII characters of Python's `string.punctuation`, as in Keras.
    public func forEachToken(_ text: String, _ body: ([UInt8]) -> Bool) {
        var token: [UInt8] = []
        token.reserveCapacity(32)
        for scalar in text.unicodeScalars {
            if Self.isWhitespace(scalar) {
                if !token.isEmpty {
                    guard body(token) else { return }
                    token.removeAll(keepingCapacity: true)
                }
                continue
            }
            if self == .lowerAndStripPunctuation, Self.isPunctuation(scalar) { continue }
            UTF8.encode(self == .none ? scalar : Self.lowercased(scalar)) { token.append($0) }
        }
        if !token.isEmpty { _ = body(token) }
    }

    /// The tokens of `text`, as ``forEachToken(_:_:)`` finds them.
    ///
    /// ```swift
    /// TextStandardization.lowerAndStripPunctuation.tokens("It's a WELL-made film!")   // ["its", "a", "wellmade", "film"]
    /// ```
    public func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        forEachToken(text) { tokens.append(String(decoding: $0, as: UTF8.self)); return true }
        return tokens
    }

    /// The ASCII whitespace that separates tokens.
    public static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20, 0x09...0x0D: return true
        default: return false
        }
    }

    /// Python's `string.punctuation`: ``!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~``.
    public static let punctuation: [Unicode.Scalar] = (UInt8(0x21)...0x7E).map(Unicode.Scalar.init).filter(isPunctuation)

    /// Whether `scalar` is one of the ASCII ``punctuation`` characters.
    public static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: return true
        default: return false
        }
    }

    /// The scalar's simple lowercase mapping (the first scalar of Unicode's full mapping, which
    /// differs only for `İ`, U+0130, whose full mapping adds a combining dot).
    static func lowercased(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        if scalar.isASCII {
            return (0x41...0x5A).contains(scalar.value) ? Unicode.Scalar(UInt8(scalar.value + 0x20)) : scalar
        }
        guard scalar.properties.changesWhenLowercased else { return scalar }
        return scalar.properties.lowercaseMapping.unicodeScalars.first ?? scalar
    }
}
