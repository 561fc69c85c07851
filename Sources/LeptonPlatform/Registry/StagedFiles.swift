import Foundation

/// A model file being encrypted into the registry's staging folder.
final class StagedFile {
    let name: String
    let blobID: String
    let url: URL
    let writer: EncryptedBlobWriter
    private var sha256: String?

    init(name: String, blobID: String, url: URL, writer: EncryptedBlobWriter) {
        self.name = name
        self.blobID = blobID
        self.url = url
        self.writer = writer
    }

    /// Closes the blob; its size and digest are then known.
    func finish() throws { sha256 = try writer.finish() }

    /// The registry's record of the finished file.
    func modelFile() throws -> ModelFile {
        guard let sha256 else { throw PlatformError(.internalError, "staged file \(name) was not finished") }
        return ModelFile(name: name, blobID: blobID, size: writer.size, sha256: sha256)
    }
}

/// Staged files not yet part of a version; ``discard()`` removes what is left of them.
struct StagedFiles {
    var files: [StagedFile] = []

    mutating func discard() {
        for file in files {
            file.writer.abandon()
            try? FileManager.default.removeItem(at: file.url)
        }
        files = []
    }
}
