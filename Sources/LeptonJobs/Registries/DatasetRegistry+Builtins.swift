import Foundation
import LeptonData
import LeptonNN

extension DatasetRegistry {
    /// The datasets Lepton ships readers for.
    public static let builtins: [DatasetEntry] = [mnist, imageFolder, sentiment, movieLens, npy]

    /// `mnist` (or `fashion_mnist`): IDX files in `path` (default: the data folder's `mnist/`).
    static let mnist = DatasetEntry(names: ["mnist", "fashion_mnist"], keys: ["path", "train_limit", "test_limit"]) { d in
        try DatasetCatalog.mnist(directory: try d.string("path").map { URL(fileURLWithPath: $0) } ?? DatasetLocation.directory(named: "mnist"),
                                 trainLimit: try d.limit("train_limit"), testLimit: try d.limit("test_limit"))
    }

    /// `image_folder`: `path/<class>/*.png|jpg`, a seeded stratified split.
    static let imageFolder = DatasetEntry(
        names: ["image_folder"], keys: ["path", "color_mode", "image_size", "test_fraction", "seed", "skip_corrupt"]
    ) { d in
        let root = try d.dataPath("path", needed: "an image_folder needs the folder holding one subfolder per class")
        let modeName = try d.string("color_mode") ?? "grayscale"
        guard let mode = ImageDecoder.ColorMode(rawValue: modeName) else {
            throw ConfigError("dataset.color_mode: expected grayscale or rgb, got \"\(modeName)\"")
        }
        return try DatasetCatalog.imageFolder(root: root, mode: mode, imageSize: try d.ints("image_size", count: 2),
                                              testFraction: try d.testFraction(), seed: try d.splitSeed(),
                                              skipCorrupt: try d.bool("skip_corrupt", default: false))
    }

    /// `sentiment`: the movie-review snippets TSV, tokenised to a vocabulary.
    static let sentiment = DatasetEntry(
        names: ["sentiment"], keys: ["path", "test_fraction", "seed", "max_vocabulary", "sequence_length"]
    ) { d in
        let file = try d.string("path").map { URL(fileURLWithPath: $0) }
            ?? DatasetLocation.directory(named: "sentiment").appendingPathComponent("movieReviewSnippets.tsv")
        return try DatasetCatalog.sentiment(file: file, testFraction: try d.testFraction(), seed: try d.splitSeed(),
                                            maximumVocabulary: try d.int("max_vocabulary", default: 10_000, in: 2...10_000_000),
                                            sequenceLength: try d.int("sequence_length", default: 50, in: 1...65_536))
    }

    /// `movielens`: MovieLens 100k ratings (`u.data`) as (user, item) → rating.
    static let movieLens = DatasetEntry(names: ["movielens", "movielens-100k"], keys: ["path", "test_fraction", "seed"]) { d in
        let file = try d.string("path").map { URL(fileURLWithPath: $0) }
            ?? DatasetLocation.directory(named: "movielens-100k").appendingPathComponent("u.data")
        return try DatasetCatalog.ratings(file: file, testFraction: try d.testFraction(), seed: try d.splitSeed()).0
    }

    /// `npy`: features and labels in two `.npy` files (`x`, `y`), memory-mapped and read in
    /// batches as training asks, so they may be larger than memory; a seeded split into
    /// training, test and (with `validation_fraction`) validation samples.
    static let npy = DatasetEntry(names: ["npy"], keys: ["x", "y", "test_fraction", "validation_fraction", "seed"], parts: { d in
        let x = try d.dataPath("x", needed: "an npy dataset needs the features' .npy file")
        let y = try d.dataPath("y", needed: "an npy dataset needs the labels' .npy file")
        let validation = try d.double("validation_fraction") ?? 0
        guard validation >= 0, validation < 1 else {
            throw ConfigError("\(d.path).validation_fraction: expected a number in [0, 1), got \(validation)")
        }
        do {
            return try DatasetCatalog.npy(x: x, y: y, testFraction: try d.testFraction(), validationFraction: validation, seed: try d.splitSeed())
        } catch let error as DataError {
            throw ConfigError("\(d.path): \(error)")
        }
    })
}

extension ConfigReader {
    /// The file or folder named by `key`; a relative path that is not there from the current
    /// folder is looked up in the data folder (`LEPTON_DATA_DIR`).
    /// - Throws: ``ConfigError`` when the key is missing, saying what is `needed`.
    func dataPath(_ key: String, needed: String) throws -> URL {
        guard let path = try string(key) else { throw ConfigError("\(self.path).\(key): missing (\(needed))") }
        let url = URL(fileURLWithPath: path)
        if !path.hasPrefix("/"), !FileManager.default.fileExists(atPath: url.path) { return DatasetLocation.directory(named: path) }
        return url
    }

    /// `test_fraction`, in (0, 1); 0.2 when absent.
    func testFraction() throws -> Double {
        let fraction = try double("test_fraction") ?? 0.2
        guard fraction > 0, fraction < 1 else { throw ConfigError("\(path).test_fraction: expected a number in (0, 1), got \(fraction)") }
        return fraction
    }

    /// An optional count `key`, at least 1.
    func limit(_ key: String) throws -> Int? {
        guard let value = try int(key) else { return nil }
        guard value >= 1 else { throw ConfigError("\(path).\(key): expected an integer ≥ 1, got \(value)") }
        return value
    }

    /// The integer `key` (`value` when absent), within `range`.
    func int(_ key: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        let v = try int(key) ?? value
        guard range.contains(v) else { throw ConfigError("\(path).\(key): expected an integer in \(range.lowerBound)...\(range.upperBound), got \(v)") }
        return v
    }

    /// The split's `seed` (42 when absent).
    func splitSeed() throws -> UInt64 {
        UInt64(try int("seed", default: 42, minimum: 0))
    }
}
