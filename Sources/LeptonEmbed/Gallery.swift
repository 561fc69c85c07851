import Foundation
import LeptonFiles
import LeptonTensor

/// Enrolled identities of an embedding model: each identity's mean unit embedding, to
/// ``identify(_:topK:)`` a new sample (top-k by cosine similarity, rejected below the
/// threshold) or verify it against one identity. Stored as JSON (`gallery.json`).
public struct Gallery: Codable, Equatable, Sendable {
    /// One enrolled identity.
    public struct Identity: Codable, Equatable, Sendable {
        public let name: String
        /// The mean of its samples' unit embeddings, scaled to unit length.
        public let centroid: [Float]
        public let samples: Int
    }

    /// A candidate for a probe: an identity and its cosine similarity to the probe.
    public struct Match: Equatable, Sendable {
        public let name: String
        public let similarity: Double
    }

    public let dimensions: Int
    public private(set) var identities: [Identity]
    /// Probes whose best similarity is below this are unknown (nil: nothing is rejected).
    public var threshold: Double?

    /// Enrolls the identities of `embeddings` (`[count, dimensions]`), row `i` belonging to
    /// `names[labels[i]]`.
    /// - Throws: ``EmbedError`` when rows, labels and names do not match, or an identity has no sample.
    public init(embeddings: Tensor, labels: [Int], names: [String], threshold: Double? = nil) throws {
        guard embeddings.rank == 2, embeddings.shape[0] == labels.count, embeddings.shape[1] > 0 else {
            throw EmbedError("gallery: expected one label per embedding row, got \(labels.count) labels for embeddings \(embeddings.shape)")
        }
        if let bad = labels.first(where: { !names.indices.contains($0) }) {
            throw EmbedError("gallery: label \(bad) names no identity (\(names.count) names)")
        }
        let d = embeddings.shape[1]
        let unit = VerificationReport.unitRows(embeddings).scalars
        var sums = [[Float]](repeating: [Float](repeating: 0, count: d), count: names.count)
        var counts = [Int](repeating: 0, count: names.count)
        for (row, label) in labels.enumerated() {
            counts[label] += 1
            for k in 0..<d { sums[label][k] += unit[row * d + k] }
        }
        if let empty = counts.firstIndex(of: 0) { throw EmbedError("gallery: identity \(names[empty]) has no sample") }
        dimensions = d
        identities = names.indices.map { i in
            Identity(name: names[i], centroid: VerificationReport.unit(sums[i]), samples: counts[i])
        }
        self.threshold = threshold
    }

    /// The `topK` identities most similar to `embedding`, best first.
    /// - Throws: ``EmbedError`` for an embedding of another width.
    public func identify(_ embedding: [Float], topK: Int = 5) throws -> [Match] {
        let probe = try unit(embedding)
        let matches = identities.map { Match(name: $0.name, similarity: Self.dot(probe, $0.centroid)) }
        return Array(matches.sorted { $0.similarity > $1.similarity }.prefix(max(topK, 1)))
    }

    /// Whether the best match of `embedding` is accepted: its similarity is at least the threshold.
    public func accepts(_ match: Match) -> Bool { threshold.map { match.similarity >= $0 } ?? true }

    /// The cosine similarity of two embeddings.
    /// - Throws: ``EmbedError`` when their widths differ or either is empty.
    public static func similarity(_ a: [Float], _ b: [Float]) throws -> Double {
        guard a.count == b.count, !a.isEmpty else { throw EmbedError("embeddings of \(a.count) and \(b.count) values cannot be compared") }
        return dot(VerificationReport.unit(a), VerificationReport.unit(b))
    }

    /// Reads a gallery written by ``write(to:)``.
    /// - Throws: ``EmbedError`` naming the file for anything else.
    public static func read(from url: URL) throws -> Gallery {
        let gallery: Gallery
        do { gallery = try JSONDecoder().decode(Gallery.self, from: Data(contentsOf: url)) } catch {
            throw EmbedError("\(url.path): expected a gallery written by lepton gallery enroll: \(error)")
        }
        guard gallery.dimensions > 0, !gallery.identities.isEmpty, gallery.identities.allSatisfy({ $0.centroid.count == gallery.dimensions }) else {
            throw EmbedError("\(url.path): expected identities with \(gallery.dimensions)-value centroids")
        }
        return gallery
    }

    /// Writes the gallery as JSON (a regular file only; see ``LeptonFiles/OutputPath``).
    public func write(to url: URL) throws {
        try OutputPath.checkFile(url, overwrite: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(self).write(to: url, options: .atomic)
    }

    private func unit(_ embedding: [Float]) throws -> [Float] {
        guard embedding.count == dimensions else {
            throw EmbedError("the probe's embedding has \(embedding.count) values; the gallery's have \(dimensions) (enrolled with another model?)")
        }
        return VerificationReport.unit(embedding)
    }

    private static func dot(_ a: [Float], _ b: [Float]) -> Double {
        var s: Float = 0
        for k in a.indices { s += a[k] * b[k] }
        return Double(s)
    }
}
