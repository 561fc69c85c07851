import Foundation
import LeptonFiles

/// `embedding.json` beside an embedding model's weights: the verification threshold chosen on
/// held-out identities, so `lepton gallery` accepts and rejects as training measured.
public struct EmbeddingModelInfo: Codable, Equatable, Sendable {
    public static let fileName = "embedding.json"

    /// Pairs with a cosine similarity at least this are the same identity.
    public var threshold: Double
    /// The false accept rate the threshold was chosen for, and what it gave.
    public var targetFalseAcceptRate: Double
    public var trueAcceptRate: Double
    public var auc: Double

    public init(threshold: Double, targetFalseAcceptRate: Double, trueAcceptRate: Double, auc: Double) {
        (self.threshold, self.targetFalseAcceptRate, self.trueAcceptRate, self.auc) = (threshold, targetFalseAcceptRate, trueAcceptRate, auc)
    }

    /// The first operating point of `report`.
    init(report: VerificationReport) {
        let point = report.operatingPoints.first
        self.init(threshold: point?.threshold ?? 1, targetFalseAcceptRate: point?.targetFalseAcceptRate ?? 0,
                  trueAcceptRate: point?.trueAcceptRate ?? 0, auc: report.roc.auc)
    }

    /// Writes the file into the model folder `folder`.
    public func write(into folder: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let url = folder.appendingPathComponent(Self.fileName)
        try OutputPath.checkFile(url, overwrite: true)
        try encoder.encode(self).write(to: url, options: .atomic)
    }

    /// The info saved in the model folder `folder`; nil when it has none.
    /// - Throws: ``EmbedError`` for a file that is there but unreadable.
    public static func read(from folder: URL) throws -> EmbeddingModelInfo? {
        let url = folder.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let data = try FileContents.read(url)
        do {
            return try JSONDecoder().decode(EmbeddingModelInfo.self, from: data)
        } catch let error as DecodingError {
            throw EmbedError("\(url.path): expected the embedding info lepton embed writes (threshold, rates, auc): \(error.oneLineDescription)")
        }
    }
}
