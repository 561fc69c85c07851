import Foundation
import LeptonFiles
import LeptonTensor

/// A labelled text: the sentiment datasets' `id<TAB>score<TAB>text` lines.
public struct ScoredText: Sendable, Equatable {
    public let id: String
    public let score: Float
    public let text: String

    public init(id: String, score: Float, text: String) {
        self.id = id
        self.score = score
        self.text = text
    }
}

/// User–item ratings (MovieLens `u.data`: `user<TAB>item<TAB>rating<TAB>time`).
public struct Ratings {
    /// Ids as given in the file (MovieLens ids start at 1).
    public let users: [Int32]
    public let items: [Int32]
    public let ratings: [Float]
    /// Largest user and item id.
    public var userCount: Int { Int(users.max() ?? 0) }
    public var itemCount: Int { Int(items.max() ?? 0) }
}

/// Readers for tab-separated text files.
public enum TextReaders {
    /// Reads `id<TAB>score<TAB>text` lines (the VADER sentiment files).
    /// - Throws: ``DataError`` naming the line when it has fewer than three fields or a
    ///   non-numeric score.
    public static func readScoredTexts(_ url: URL) throws -> [ScoredText] {
        try lines(url).map { number, line in
            let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else {
                throw DataError("line \(number) has \(fields.count) tab-separated fields, expected 3 (id, score, text)", source: url.path)
            }
            guard let score = Float(fields[1].trimmingCharacters(in: .whitespaces)) else {
                throw DataError("line \(number): score '\(fields[1])' is not a number", source: url.path)
            }
            return ScoredText(id: String(fields[0]), score: score, text: String(fields[2]))
        }
    }

    /// Reads `user<TAB>item<TAB>rating[<TAB>time]` lines.
    /// - Throws: ``DataError`` naming the line for a malformed field or a rating outside `validRange`.
    public static func readRatings(_ url: URL, validRange: ClosedRange<Float> = 0.5...5) throws -> Ratings {
        var users: [Int32] = [], items: [Int32] = [], ratings: [Float] = []
        for (number, line) in try lines(url) {
            let f = line.split(whereSeparator: { $0 == "\t" || $0 == " " || $0 == "," })
            guard f.count >= 3, let u = Int32(f[0]), let i = Int32(f[1]), let r = Float(f[2]) else {
                throw DataError("line \(number) is not 'user item rating [time]' with integer ids and a numeric rating: '\(line)'", source: url.path)
            }
            guard u > 0, i > 0 else { throw DataError("line \(number): ids must be positive, got user \(u) item \(i)", source: url.path) }
            guard validRange.contains(r) else {
                throw DataError("line \(number): rating \(r) is outside \(validRange.lowerBound)…\(validRange.upperBound)", source: url.path)
            }
            users.append(u); items.append(i); ratings.append(r)
        }
        return Ratings(users: users, items: items, ratings: ratings)
    }

    /// Non-empty lines with their 1-based line numbers.
    static func lines(_ url: URL) throws -> [(Int, String)] {
        guard FileManager.default.fileExists(atPath: url.path) else { throw DataError("file not found", source: url.path) }
        guard let text = FileContents.text(url) else {
            throw DataError("cannot read the file as UTF-8 text", source: url.path)
        }
        // "\r\n" is one Character in Swift, so CRLF files must be split on it explicitly.
        return text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated()
            .map { ($0.offset + 1, String($0.element).trimmingCharacters(in: CharacterSet(charactersIn: "\r"))) }
            .filter { !$0.1.isEmpty }
    }
}
