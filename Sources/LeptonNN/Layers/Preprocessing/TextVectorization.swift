import LeptonTensor

/// Turns sentences into fixed-length `int32` token ids at a model's input
/// (`keras.layers.TextVectorization` with `output_mode="int"`): the text is standardised
/// (``TextStandardization``), split on whitespace, each token looked up in the vocabulary
/// (id 0 is padding `""`, id 1 the out-of-vocabulary token `[UNK]`, then the words by
/// descending frequency, ties in byte order), and the ids padded with 0 or truncated to
/// ``outputSequenceLength``.
///
/// Padding and truncation are `pre` by default — the first ids are padding and a long text keeps
/// its last tokens, as Keras's `pad_sequences` and as a recurrent layer reading last wants
/// (Keras's `TextVectorization` pads and truncates `post`; set ``padding`` and ``truncating``).
///
/// A tensor holds numbers, not strings, so a model whose first layer is a `TextVectorization`
/// takes sentences through ``encode(_:)`` — the one way in, used by `Sequential.predict(texts:)`,
/// `lepton predict`, `lepton serve` (V2 `BYTES`) and `lepton evaluate` — and ``forward(_:)`` passes
/// the ids it made on to the next layer. The vocabulary is part of the layer's configuration, so
/// it is saved in `model.json` and checked when a model file is read.
///
/// ```swift
/// let vectorize = TextVectorization(maxTokens: 10_000, outputSequenceLength: 40)
/// vectorize.adapt(trainTexts)
/// let model = Sequential([vectorize, Embedding(vocabularySize: 10_000, dimensions: 64), …])
/// try model.fit(x: vectorize.encode(trainTexts), y: labels)
/// ```
public final class TextVectorization: Module {
    /// Where padding and truncation happen.
    public enum Side: String, CaseIterable, Sendable { case pre, post }

    /// The padding token (id 0), Keras's mask token.
    public static let paddingToken = ""
    /// The out-of-vocabulary token (id 1).
    public static let unknownToken = "[UNK]"
    /// The largest vocabulary a layer may hold (a bound on what a model file can make a reader allocate).
    public static let maximumVocabularySize = 1 << 22

    /// The largest vocabulary ``adapt(_:)`` builds, padding and unknown tokens included (nil: no limit).
    public let maxTokens: Int?
    /// The number of ids per text.
    public let outputSequenceLength: Int
    /// How texts are prepared before they are split.
    public let standardize: TextStandardization
    /// Where short texts are padded with 0.
    public let padding: Side
    /// Which end of a long text is cut.
    public let truncating: Side
    /// Tokens by id: `""`, `"[UNK]"`, then the words.
    public var vocabulary: [String] { table.words }
    /// The words and their ids, held in a struct: `Module` finds parameters by reflection, and a
    /// large dictionary or array stored directly would be examined element by element each time.
    private var table = Table()
    private struct Table {
        var words = [TextVectorization.paddingToken, TextVectorization.unknownToken]
        var index: [[UInt8]: Int32] = [:]
    }

    /// A layer with the reserved tokens only (``adapt(_:)`` learns the words), or with `vocabulary`.
    /// - Parameters:
    ///   - maxTokens: the largest vocabulary ``adapt(_:)`` builds, at least 2 (nil: no limit).
    ///   - outputSequenceLength: ids per text, at least 1.
    ///   - vocabulary: words by id from 2 on (or the whole list, starting with `""` and `"[UNK]"`).
    /// - Throws: ``ConfigError`` for a size out of range or a vocabulary that repeats a token, holds an
    ///   empty token or whitespace, or is larger than `maxTokens` or ``maximumVocabularySize``.
    public init(maxTokens: Int? = nil, outputSequenceLength: Int, standardize: TextStandardization = .lowerAndStripPunctuation,
                padding: Side = .pre, truncating: Side = .pre, vocabulary: [String]? = nil) throws {
        if let maxTokens, maxTokens < 2 { throw ConfigError("max_tokens: expected at least 2 (padding and [UNK]), got \(maxTokens)") }
        guard outputSequenceLength >= 1 else {
            throw ConfigError("output_sequence_length: expected a positive integer, got \(outputSequenceLength)")
        }
        self.maxTokens = maxTokens
        self.outputSequenceLength = outputSequenceLength
        self.standardize = standardize
        self.padding = padding
        self.truncating = truncating
        super.init()
        try setVocabulary(vocabulary ?? [])
    }

    /// Replaces the vocabulary: words by id from 2 on, or the whole list starting with `""` and `"[UNK]"`.
    /// - Throws: ``ConfigError`` naming the first repeated, empty or whitespace-holding token, or a
    ///   list longer than ``maxTokens`` or ``maximumVocabularySize``.
    public func setVocabulary(_ words: [String]) throws {
        let full = words.starts(with: [Self.paddingToken, Self.unknownToken]) ? words : [Self.paddingToken, Self.unknownToken] + words
        let limit = Swift.min(maxTokens ?? Self.maximumVocabularySize, Self.maximumVocabularySize)
        guard full.count <= limit else {
            throw ConfigError("vocabulary: \(full.count) tokens with padding and [UNK]; expected at most \(limit)"
                              + (maxTokens == nil ? " (TextVectorization.maximumVocabularySize)" : " (max_tokens)"))
        }
        var ids: [[UInt8]: Int32] = [:]
        ids.reserveCapacity(full.count)
        for (id, word) in full.enumerated().dropFirst() {
            let bytes = Array(word.utf8)
            guard !bytes.isEmpty else { throw ConfigError("vocabulary[\(id)]: an empty token (only id 0, padding, is empty)") }
            guard !word.unicodeScalars.contains(where: TextStandardization.isWhitespace) else {
                throw ConfigError("vocabulary[\(id)]: \"\(word)\" holds whitespace, which splits tokens, so it could never be looked up")
            }
            if let first = ids.updateValue(Int32(id), forKey: bytes) {
                throw ConfigError("vocabulary[\(id)]: \"\(word)\" repeats token \(first); expected each token once")
            }
        }
        table = Table(words: full, index: ids)
    }

    /// The vocabulary size (ids are `0..<vocabularySize`); an `Embedding` after this layer needs at least as many rows.
    public var vocabularySize: Int { vocabulary.count }

    /// Learns the vocabulary from `texts`: their tokens by descending count (ties in byte order),
    /// at most ``maxTokens`` with padding and `[UNK]` (Keras's `adapt`).
    public func adapt(_ texts: [String]) {
        var counts: [[UInt8]: Int] = [:]
        for text in texts { standardize.forEachToken(text) { counts[$0, default: 0] += 1; return true } }
        counts[Array(Self.unknownToken.utf8)] = nil
        let sorted = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.lexicographicallyPrecedes($1.key) }
        let room = Swift.min(maxTokens ?? Self.maximumVocabularySize, Self.maximumVocabularySize) - 2
        table = Table(words: [Self.paddingToken, Self.unknownToken] + sorted.prefix(room).map { String(decoding: $0.key, as: UTF8.self) },
                      index: Dictionary(uniqueKeysWithValues: sorted.prefix(room).enumerated().map { ($1.key, Int32($0 + 2)) }))
    }

    /// The id of every token of `text`, before padding and truncation (unknown tokens → 1).
    public func ids(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        standardize.forEachToken(text) { ids.append(table.index[$0] ?? 1); return true }
        return ids
    }

    /// `[texts.count, outputSequenceLength]` `int32` ids: what the model's next layer takes.
    public func encode(_ texts: [String]) -> Tensor {
        let length = outputSequenceLength
        var out = [Int32](repeating: 0, count: texts.count * length)
        var ring = [Int32](repeating: 0, count: length)
        let index = table.index
        for (row, text) in texts.enumerated() {
            // Keep the first `length` ids (post truncation) or the last `length` in a ring (pre).
            var seen = 0
            standardize.forEachToken(text) { token in
                let id = index[token] ?? 1
                if truncating == .post {
                    ring[seen] = id
                    seen += 1
                    return seen < length
                }
                ring[seen % length] = id
                seen += 1
                return true
            }
            let kept = Swift.min(seen, length), first = seen - kept
            let start = row * length + (padding == .pre ? length - kept : 0)
            for k in 0..<kept { out[start + k] = ring[(first + k) % length] }
        }
        return Tensor(int32: out, shape: [texts.count, length])
    }

    /// Passes on the ids ``encode(_:)`` made (`int32 [batch, outputSequenceLength]`).
    public override func forward(_ input: Tensor) -> Tensor {
        layerRequire(input.dtype == .int32 && input.rank == 2 && input.shape[1] == outputSequenceLength,
                     "TextVectorization: expected the int32 ids [batch, \(outputSequenceLength)] that encode(_:) makes of texts, "
                     + "got \(input.dtype) \(input.shape)")
        return input
    }
}

extension TextVectorization: ConfigurableLayer {
    public static let typeName = "TextVectorization"
    public static let configKeys = ["max_tokens", "standardize", "split", "output_mode", "output_sequence_length", "padding",
                                    "truncating", "vocabulary"]

    public convenience init(config c: ConfigReader) throws {
        if let split = try c.string("split"), split != "whitespace" {
            throw ConfigError("\(c.path).split: only \"whitespace\" is supported, got \"\(split)\"")
        }
        if let mode = try c.string("output_mode"), mode != "int" {
            throw ConfigError("\(c.path).output_mode: only \"int\" (token ids) is supported, got \"\(mode)\"")
        }
        let maxTokens = try c.int("max_tokens")
        if let maxTokens, maxTokens < 2 || maxTokens > Self.maximumVocabularySize {
            throw ConfigError("\(c.path).max_tokens: expected an integer from 2 to \(Self.maximumVocabularySize), got \(maxTokens)")
        }
        let length = try c.requiredSize("output_sequence_length")
        let standardize: TextStandardization = try c.choice("standardize", default: .lowerAndStripPunctuation)
        let padding: Side = try c.choice("padding", default: .pre), truncating: Side = try c.choice("truncating", default: .pre)
        let vocabulary = try c.strings("vocabulary")
        do {
            try self.init(maxTokens: maxTokens, outputSequenceLength: length, standardize: standardize, padding: padding,
                          truncating: truncating, vocabulary: vocabulary)
        } catch let error as ConfigError {
            throw ConfigError("\(c.path).\(error.description)")
        }
    }

    public var config: [String: ConfigValue] {
        var c: [String: ConfigValue] = [
            "standardize": .string(standardize.rawValue), "split": .string("whitespace"), "output_mode": .string("int"),
            "output_sequence_length": .int(outputSequenceLength), "padding": .string(padding.rawValue),
            "truncating": .string(truncating.rawValue), "vocabulary": .array(vocabulary.map { .string($0) }),
        ]
        if let maxTokens { c["max_tokens"] = .int(maxTokens) }
        return c
    }
}
