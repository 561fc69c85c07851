import LeptonNN

/// The `embedding:` section of a training config: which identities train the embedding and which
/// (never seen in training, for an open-set test) verify it, and the operating points reported.
///
/// ```yaml
/// embedding:
///   train_classes: [0, 1, 2, 3, 4, 5, 6]   # identities of the training split that train
///   test_classes: [7, 8, 9]                # identities of the test split that verify
///   false_accept_rates: [0.01, 0.001]      # TAR and threshold reported at each
///   roc: roc.png                           # the ROC image (default: roc.png in the model folder)
/// ```
public struct EmbeddingSettings: Sendable, Equatable {
    /// Class ids of the training split kept for training (nil: all), renumbered 0… in this order.
    public var trainClasses: [Int]?
    /// Class ids of the test split kept for verification (nil: all).
    public var testClasses: [Int]?
    /// Target false accept rates; the first one sets the saved threshold.
    public var falseAcceptRates: [Double] = [1e-2, 1e-3]
    /// Where the ROC curve is drawn (a PNG), if anywhere.
    public var roc: String?

    public static let keys = ["train_classes", "test_classes", "false_accept_rates", "roc"]

    public init(trainClasses: [Int]? = nil, testClasses: [Int]? = nil, falseAcceptRates: [Double] = [1e-2, 1e-3], roc: String? = nil) {
        (self.trainClasses, self.testClasses, self.falseAcceptRates, self.roc) = (trainClasses, testClasses, falseAcceptRates, roc)
    }

    /// Reads the section; absent, every default holds.
    /// - Throws: ``LeptonNN/ConfigError`` naming the key, the value and what was expected.
    public init(_ value: ConfigValue?) throws {
        guard let value else { return }
        let c = try ConfigReader(value, path: "embedding")
        try c.rejectUnknownKeys(Self.keys)
        trainClasses = try Self.classes(c, "train_classes")
        testClasses = try Self.classes(c, "test_classes")
        if let rates = c.raw("false_accept_rates") {
            guard case .array(let items) = rates, !items.isEmpty else {
                throw ConfigError("embedding.false_accept_rates: expected a list of rates in (0, 1), got \(rates)")
            }
            falseAcceptRates = try items.map { item in
                let rate: Double? = switch item { case .double(let d): d; case .int(let i): Double(i); default: nil }
                guard let rate, rate > 0, rate < 1 else {
                    throw ConfigError("embedding.false_accept_rates: expected rates in (0, 1), got \(item)")
                }
                return rate
            }
        }
        roc = try c.string("roc")
        if let roc, roc.trimmingCharacters(in: .whitespaces).isEmpty { throw ConfigError("embedding.roc: expected a PNG path, got an empty one") }
    }

    private static func classes(_ c: ConfigReader, _ key: String) throws -> [Int]? {
        guard let ids = try c.ints(key) else { return nil }
        guard !ids.isEmpty, ids.allSatisfy({ $0 >= 0 }), Set(ids).count == ids.count else {
            throw ConfigError("embedding.\(key): expected distinct non-negative class ids, got \(ids)")
        }
        return ids
    }
}
