import Foundation
import Testing
import LeptonTensor
import LeptonData

@Suite struct TextReadersTests {
    func write(_ text: String, _ name: String, in dir: URL) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func readsScoredTextsKeepingTabsInsideTheText() throws {
        let dir = try makeTemporaryDirectory("text")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try write("1\t2.5\tGreat film\n\n2\t-1\ttab\tinside\n3\t 0 \t\n", "s.tsv", in: dir)
        let rows = try TextReaders.readScoredTexts(url)
        #expect(rows == [ScoredText(id: "1", score: 2.5, text: "Great film"),
                         ScoredText(id: "2", score: -1, text: "tab\tinside"),
                         ScoredText(id: "3", score: 0, text: "")])
        // Windows line endings are lines too.
        let crlf = try TextReaders.readScoredTexts(try write("a\t1\tx\r\nb\t-2\ty\r\n", "c.tsv", in: dir))
        #expect(crlf.map(\.id) == ["a", "b"])
        #expect(crlf.map(\.text) == ["x", "y"])
    }

    @Test func reportsMalformedScoredLinesWithTheirNumbers() throws {
        let dir = try makeTemporaryDirectory("text")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fields = dataError { _ = try TextReaders.readScoredTexts(try write("1\t1\tok\n\n2 no tabs\n", "a.tsv", in: dir)) }
        #expect(fields?.message == "line 3 has 1 tab-separated fields, expected 3 (id, score, text)")
        #expect(fields?.source?.hasSuffix("a.tsv") == true)
        let score = dataError { _ = try TextReaders.readScoredTexts(try write("1\tgood\ttext\n", "b.tsv", in: dir)) }
        #expect(score?.message == "line 1: score 'good' is not a number")
        let crlf = dataError { _ = try TextReaders.readScoredTexts(try write("1\t1\tok\r\n2\tx\ty\r\n", "c.tsv", in: dir)) }
        #expect(crlf?.message == "line 2: score 'x' is not a number")
        #expect(dataError { _ = try TextReaders.readScoredTexts(dir.appendingPathComponent("none.tsv")) }?.message == "file not found")
    }

    @Test func readsRatingsAndReportsMalformedLines() throws {
        let dir = try makeTemporaryDirectory("ratings")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ratings = try TextReaders.readRatings(try write("1\t10\t4\t881250949\n3 7 2.5\n2,5,1\n", "u.data", in: dir))
        #expect(ratings.users == [1, 3, 2] && ratings.items == [10, 7, 5] && ratings.ratings == [4, 2.5, 1])
        #expect(ratings.userCount == 3 && ratings.itemCount == 10)
        let cases: [(String, String)] = [
            ("1\t1\t4\n1\t2\n", "line 2 is not 'user item rating [time]'"),
            ("1\t1\t4\n\nx\t2\t3\n", "line 3 is not 'user item rating [time]'"),
            ("0\t1\t4\n", "line 1: ids must be positive, got user 0 item 1"),
            ("1\t1\t4\n1\t2\t7\n", "line 2: rating 7.0 is outside 0.5…5.0"),
            ("1\t1\tnan\n", "line 1: rating nan is outside"),
        ]
        for (i, (text, expected)) in cases.enumerated() {
            let error = dataError { _ = try TextReaders.readRatings(try write(text, "bad\(i).data", in: dir)) }
            #expect(error?.message.hasPrefix(expected) == true, "\(String(describing: error)) for \(text.debugDescription)")
        }
        let custom = try TextReaders.readRatings(try write("1\t1\t7\n", "ok.data", in: dir), validRange: 0...10)
        #expect(custom.ratings == [7])
    }

    @Test func readsTheRealSentimentAndMovieLensFiles() throws {
        let root = DatasetLocation.root()
        let movies = try TextReaders.readScoredTexts(root.appendingPathComponent("sentiment/movieReviewSnippets.tsv"))
        #expect(movies.count == 10_605)
        #expect(movies.allSatisfy { (-4...4).contains($0.score) && !$0.text.isEmpty })
        #expect(movies[2] == ScoredText(id: "3", score: -0.6, text: "Effective but too tepid biopic"))
        let ratings = try TextReaders.readRatings(root.appendingPathComponent("movielens-100k/u.data"))
        #expect(ratings.ratings.count == 100_000)
        #expect(ratings.userCount == 943 && ratings.itemCount == 1682)
        #expect(Set(ratings.ratings) == [1, 2, 3, 4, 5])
        #expect((ratings.users[0], ratings.items[0], ratings.ratings[0]) == (196, 242, 3))
    }
}
