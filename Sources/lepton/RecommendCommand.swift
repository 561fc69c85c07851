import ArgumentParser
import Foundation
import LeptonData
import LeptonIO
import LeptonNN
import LeptonTensor

/// `lepton recommend MODEL --user N`: the top-rated unseen movies for a user, by title, from a
/// trained matrix-factorisation model (examples/movielens-mf.yaml).
struct RecommendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recommend", abstract: "Top-N recommendations by title for a user of a MovieLens matrix-factorisation model.")

    @Argument(help: "A saved model whose only layer is MatrixFactorization.")
    var model: String

    @Option(help: "The user id (1-based, as in u.data).")
    var user: Int

    @Option(help: "How many movies to list.")
    var count: Int = 10

    @Option(help: "The MovieLens folder (default: movielens-100k in --data-dir, LEPTON_DATA_DIR or ../shared/datasets).")
    var data: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard user >= 1 else { throw ValidationError("--user: expected an id ≥ 1, got \(user)") }
        guard count > 0 else { throw ValidationError("--count: expected a positive integer, got \(count)") }
    }

    func run() throws {
        common.apply()
        let loaded = try ModelFile.load(from: URL(fileURLWithPath: model))
        guard let mf = loaded.layers.first as? MatrixFactorization else {
            throw IOError("the model's first layer is not MatrixFactorization", file: model)
        }
        guard user >= 1 && user <= mf.users else { throw ConfigError("--user: expected an id in 1...\(mf.users), got \(user)") }
        let dir = data.map { URL(fileURLWithPath: $0) } ?? DatasetLocation.directory(named: "movielens-100k")
        let ratings = try TextReaders.readRatings(dir.appendingPathComponent("u.data"))
        let titles = try CSVTable(url: dir.appendingPathComponent("items.tsv"), separator: "\t")
        let ids = try titles.stringColumn(titles.columns[0]).map { Int($0) ?? -1 }
        let names = try titles.stringColumn(titles.columns.first { $0.lowercased().contains("title") } ?? titles.columns[1])
        let titleOf = Dictionary(zip(ids, names), uniquingKeysWith: { a, _ in a })
        let seen = Set(zip(ratings.users, ratings.items).filter { Int($0.0) == user }.map { Int($0.1) })
        let scores = mf.scores(user: user).scalars
        let ranked = (1...mf.items).filter { !seen.contains($0) }.sorted { scores[$0] > scores[$1] }.prefix(count)
        print("Top \(count) for user \(user) (\(seen.count) movies already rated):")
        for (rank, item) in ranked.enumerated() {
            print(String(format: "%2d. %.2f  %@", rank + 1, scores[item], titleOf[item] ?? "movie \(item)"))
        }
    }
}
