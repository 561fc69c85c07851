import Foundation
import LeptonEmbed
import LeptonTensor
import Testing

@Suite struct GalleryTests {
    /// Two identities around the x and y axes.
    static let embeddings = Tensor([1, 0.1, 0.9, -0.1, 0.1, 1, -0.1, 0.8], shape: [4, 2])

    @Test func identifiesByCentroidAndRejectsBelowTheThreshold() throws {
        let gallery = try Gallery(embeddings: Self.embeddings, labels: [0, 0, 1, 1], names: ["ada", "bob"], threshold: 0.9)
        let near = try gallery.identify([2, 0.1], topK: 5)
        #expect(near.map(\.name) == ["ada", "bob"] && gallery.accepts(near[0]))
        let between = try gallery.identify([1, 1], topK: 1)
        #expect(between.count == 1 && !gallery.accepts(between[0]))   // cos 45° ≈ 0.71 < 0.9
        #expect(throws: EmbedError.self) { try gallery.identify([1, 0, 0]) }
    }

    @Test func roundTripsThroughJSONAndRefusesOtherFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gallery-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let gallery = try Gallery(embeddings: Self.embeddings, labels: [0, 0, 1, 1], names: ["ada", "bob"])
        let url = folder.appendingPathComponent("gallery.json")
        try gallery.write(to: url)
        #expect(try Gallery.read(from: url) == gallery)
        try Data("{\"dimensions\": 2}".utf8).write(to: url)
        #expect(throws: EmbedError.self) { try Gallery.read(from: url) }
    }

    @Test func mismatchedLabelsOrAnEmptyIdentityAreErrors() {
        #expect(throws: EmbedError.self) { try Gallery(embeddings: Self.embeddings, labels: [0, 0, 1], names: ["a", "b"]) }
        #expect(throws: EmbedError.self) { try Gallery(embeddings: Self.embeddings, labels: [0, 0, 2, 2], names: ["a", "b"]) }
        #expect(throws: EmbedError.self) { try Gallery(embeddings: Self.embeddings, labels: [0, 0, 0, 0], names: ["a", "b"]) }
        #expect(throws: EmbedError.self) { try Gallery.similarity([1, 0], [1]) }
    }
}
