import Foundation
import LeptonData

/// Targets for the text formats: CSV tables, ratings and scored-text TSV files.
enum TextTargets {
    static let csv = FuzzTarget(
        "csv", "CSV tables with RFC 4180 quoting (CSVTable, then every numeric column as floats)",
        seeds: { _ in
            [
                "x,y,label\n1,2.5,a\n3,-4e2,b\n",
                "\"quoted, name\",v\n\"a \"\"b\"\"\",1\n\"multi\nline\",2\n",
                "a;b\n1;2\n",
            ].map { Data($0.utf8) }
        },
        body: { data, _ in
            let table = try CSVTable(text: String(decoding: data, as: UTF8.self), source: "fuzz.csv")
            for column in table.columns {
                if table.isNumeric(column) { _ = try table.floatColumns([column]) } else { _ = try table.stringColumn(column) }
            }
        })

    static let ratings = FuzzTarget(
        "ratings", "user/item/rating files as MovieLens ships them (TextReaders.readRatings)",
        seeds: { _ in
            let seeds = [Data("1\t2\t3\t881250949\n2\t3\t4.5\n".utf8), Data("7,8,0.5\n".utf8)]
            return seeds + datasetHead("movielens-100k", "u.data")
        },
        body: { data, scratch in _ = try TextReaders.readRatings(try scratch.file("fuzz-ratings.tsv", data)) })

    static let scoredText = FuzzTarget(
        "scored-text", "id/score/text files as the sentiment dataset ships them (TextReaders.readScoredTexts)",
        seeds: { _ in
            let seeds = [Data("1\t1.5\tA fine film.\n2\t-2\tDull, \"really\" dull\n".utf8)]
            return seeds + datasetHead("sentiment", "tweets.tsv")
        },
        body: { data, scratch in _ = try TextReaders.readScoredTexts(try scratch.file("fuzz-texts.tsv", data)) })

    /// The first whole lines (up to 4 KiB) of a file of the shared datasets, or nothing when the
    /// datasets are not there.
    static func datasetHead(_ dataset: String, _ file: String) -> [Data] {
        let url = DatasetLocation.directory(named: dataset).appendingPathComponent(file)
        guard let handle = try? FileHandle(forReadingFrom: url) else { return [] }
        defer { try? handle.close() }
        let head = handle.readData(ofLength: 4096)
        guard let end = head.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
        return [head[...end]]
    }
}
