import Foundation

/// One upload of a dataset version in progress. Bytes are encrypted into a file under
/// `<data>/uploads/` as they arrive; only ``commit()`` moves the file into the dataset's folder
/// and records the version, so an interrupted upload never leaves a visible version (and the
/// leftover file is removed at the next start).
///
/// ```swift
/// let upload = try await platform.datasets.beginUpload(datasetID: id, principal: who)
/// for chunk in body { try upload.append(chunk) }
/// let version = try await upload.commit()
/// ```
public final class DatasetUpload: @unchecked Sendable {
    let dataset: Dataset
    let blobID: String
    private let temporary: URL
    private let destination: URL
    private let writer: EncryptedBlobWriter
    private var sniffer = FormatSniffer()
    private let limit: Int
    private let store: any PlatformStore
    private var done = false

    init(dataset: Dataset, blobID: String, temporary: URL, destination: URL, writer: EncryptedBlobWriter, limit: Int, store: any PlatformStore) {
        self.dataset = dataset
        self.blobID = blobID
        self.temporary = temporary
        self.destination = destination
        self.writer = writer
        self.limit = limit
        self.store = store
    }

    deinit { if !done { abort() } }

    /// Takes the next bytes of the file.
    /// - Throws: ``PlatformError`` (`tooLarge`) beyond the platform's upload limit (the upload is aborted).
    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard writer.size + bytes.count <= limit else {
            abort()
            throw PlatformError(.tooLarge, "the upload exceeds the limit of \(limit) bytes (lepton platform serve --max-upload-bytes)")
        }
        sniffer.consume(bytes)
        try writer.append(bytes)
    }

    /// Finishes the file and commits it as the dataset's next version.
    public func commit() async throws -> DatasetVersion {
        guard !done else { throw PlatformError(.conflict, "this upload was already committed or aborted") }
        let sha256 = try writer.finish()
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: temporary, to: destination)
        done = true
        do {
            return try await store.insertVersion(datasetID: dataset.id, blobID: blobID, size: writer.size, sha256: sha256,
                                                 preview: sniffer.preview(), created: Date())
        } catch {
            try? FileManager.default.removeItem(at: destination)
            throw error
        }
    }

    /// Drops the upload and its file; nothing becomes visible.
    public func abort() {
        guard !done else { return }
        done = true
        writer.abandon()
        try? FileManager.default.removeItem(at: temporary)
    }
}
