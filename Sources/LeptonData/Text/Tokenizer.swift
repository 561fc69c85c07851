import Foundation
import LeptonTensor

/// Splits text into lower-case words, builds a vocabulary by frequency, and turns texts into
/// fixed-length `int32` id sequences (Keras's `TextVectorization` / `Tokenizer`).
///
/// Id 0 is padding and id 1 the out-of-vocabulary token; words follow by descending frequency
/// (ties alphabetical, so a vocabulary is reproducible).
///
/// ```swift
/// var tokenizer = Tokenizer(maximumVocabulary: 10_000)
/// tokenizer.fit(trainTexts)
/// let ids = tokenizer.encode(texts, length: 50)   // [texts.count, 50]
/// ```
public struct Tokenizer: Codable, Sendable {
    public static let paddingToken = "<pad>"
    public static let unknownToken = "<unk>"
    /// Largest vocabulary, padding and unknown tokens included (nil: unlimited).
    public let maximumVocabulary: Int?
    /// Words by id.
    public private(set) var vocabulary: [String] = [paddingToken, unknownToken]
    private var index: [String: Int32] = [paddingToken: 0, unknownToken: 1]

    public init(maximumVocabulary: Int? = nil) {
        checkPrecondition((maximumVocabulary ?? 2) >= 2, "Tokenizer: maximumVocabulary must be at least 2")
        self.maximumVocabulary = maximumVocabulary
    }

    /// Lower-case words and numbers; punctuation separates words, apostrophes stay inside them.
    public static func words(_ text: String) -> [String] {
        var words: [String] = [], current = ""
        for ch in text.lowercased() {
            if ch.isLetter || ch.isNumber || ch == "'" { current.append(ch) } else if !current.isEmpty {
                words.append(current); current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "'")) }.filter { !$0.isEmpty }
    }

    /// Builds the vocabulary from `texts`.
    public mutating func fit(_ texts: [String]) {
        var counts: [String: Int] = [:]
        for text in texts { for w in Self.words(text) { counts[w, default: 0] += 1 } }
        let sorted = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
        let room = (maximumVocabulary ?? Int.max) - 2
        vocabulary = [Self.paddingToken, Self.unknownToken] + sorted.prefix(max(room, 0))
        index = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, Int32($0)) })
    }

    /// Vocabulary size (ids are `0..<size`).
    public var size: Int { vocabulary.count }

    /// The ids of one text's words (unknown words → 1).
    public func ids(_ text: String) -> [Int32] { Self.words(text).map { index[$0] ?? 1 } }

    /// Where padding and truncation happen (Keras's `pad_sequences` default is `.pre`, which
    /// keeps a sequence's last words next to the end, where a recurrent layer reads last).
    public enum Side: String, Sendable { case pre, post }

    /// `[texts.count, length]` ids, padded with 0 and truncated on the given sides.
    public func encode(_ texts: [String], length: Int, padding: Side = .pre, truncating: Side = .pre) -> Tensor {
        checkPrecondition(length > 0, "Tokenizer.encode: length must be positive")
        var out = [Int32](repeating: 0, count: texts.count * length)
        for (i, text) in texts.enumerated() {
            var sequence = ids(text)
            if sequence.count > length {
                sequence = truncating == .pre ? Array(sequence.suffix(length)) : Array(sequence.prefix(length))
            }
            let start = padding == .pre ? length - sequence.count : 0
            for (j, id) in sequence.enumerated() { out[i * length + start + j] = id }
        }
        return Tensor(int32: out, shape: [texts.count, length])
    }

    enum CodingKeys: String, CodingKey { case maximumVocabulary, vocabulary }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        maximumVocabulary = try c.decodeIfPresent(Int.self, forKey: .maximumVocabulary)
        vocabulary = try c.decode([String].self, forKey: .vocabulary)
        index = Dictionary(vocabulary.enumerated().map { ($1, Int32($0)) }, uniquingKeysWith: { a, _ in a })
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(maximumVocabulary, forKey: .maximumVocabulary)
        try c.encode(vocabulary, forKey: .vocabulary)
    }
}
