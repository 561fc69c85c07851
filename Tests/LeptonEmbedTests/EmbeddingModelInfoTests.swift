import Foundation
import LeptonEmbed
import Testing

/// `EmbeddingModelInfo` (embedding.json in a model folder): written and read back; absent is nil;
/// a file that is not one is a one-line error naming it and the bad value.
@Suite struct EmbeddingModelInfoTests {
    @Test func roundTripsAndRefusesACorruptFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-embedding-info-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try EmbeddingModelInfo.read(from: dir) == nil)
        let info = EmbeddingModelInfo(threshold: 0.42, targetFalseAcceptRate: 0.01, trueAcceptRate: 0.5, auc: 0.9)
        try info.write(into: dir)
        let back = try #require(try EmbeddingModelInfo.read(from: dir))
        #expect(back.threshold == 0.42 && back.targetFalseAcceptRate == 0.01 && back.trueAcceptRate == 0.5 && back.auc == 0.9)

        let file = dir.appendingPathComponent(EmbeddingModelInfo.fileName)
        for (text, expected) in [("{\"threshold\": \"high\"}", "'threshold': Expected to decode Double"),
                                 ("{}", "is missing"), ("not json", "expected the embedding info lepton embed writes")] {
            try text.write(to: file, atomically: true, encoding: .utf8)
            #expect { try EmbeddingModelInfo.read(from: dir) } throws: {
                "\($0)".contains(file.path) && "\($0)".contains(expected) && !"\($0)".contains("\n")
            }
        }
    }
}
