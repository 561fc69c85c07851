import Foundation
import LeptonPlatform
import Testing

@Suite("DatasetService")
struct DatasetServiceTests {
    @Test("an upload round-trips across chunk boundaries with its SHA-256; no plaintext window is on disk")
    func roundTripEncrypted() async throws {
        let (platform, admin) = try await PlatformFixtures.platform("datasets")
        let workspace = admin.key.workspaceID
        let dataset = try await platform.datasets.create(name: "random", workspaceID: workspace)
        let plaintext = PlatformFixtures.bytes(3 * EncryptedBlob.chunkSize + 12_345, seed: 7)
        let version = try await PlatformFixtures.upload(plaintext, to: dataset.id, in: platform, workspaceID: workspace)
        #expect(version.number == 1 && version.size == plaintext.count)
        #expect(try await PlatformFixtures.download(dataset.id, version: 1, from: platform, workspaceID: workspace) == plaintext)
        // No 16-byte window of the plaintext (taken every 4 KiB) occurs in any file of the data folder.
        let files = PlatformFixtures.files(under: platform.dataFolder)
        #expect(files.contains { $0.pathExtension == "blob" })
        let contents = try files.map { try Data(contentsOf: $0) }
        for offset in stride(from: 0, to: plaintext.count - 16, by: 4096) {
            let window = Data(plaintext[offset..<(offset + 16)])
            #expect(!contents.contains { $0.range(of: window) != nil }, "plaintext at \(offset) found on disk")
        }
    }

    @Test("a flipped byte anywhere in a blob is refused as an integrity failure")
    func flippedByte() async throws {
        let (platform, admin) = try await PlatformFixtures.platform("datasets-flip")
        let workspace = admin.key.workspaceID
        let dataset = try await platform.datasets.create(name: "flip", workspaceID: workspace)
        let version = try await PlatformFixtures.upload(PlatformFixtures.bytes(EncryptedBlob.chunkSize + 999, seed: 3), to: dataset.id,
                                                        in: platform, workspaceID: workspace)
        let blob = platform.datasets.datasetFolder(dataset.id).appendingPathComponent("\(version.blobID).blob")
        let original = try Data(contentsOf: blob)
        for offset in [0, 10, 20, original.count / 2, original.count - 1] {
            var damaged = original
            damaged[offset] ^= 0x01
            try damaged.write(to: blob)
            let error = await #expect(throws: PlatformError.self) {
                _ = try await platform.datasets.open(id: dataset.id, version: 1, workspaceID: workspace)
            }
            #expect(error?.kind == .integrity, "byte \(offset)")
        }
        // Cutting the last chunk off is caught too.
        try original.prefix(original.count - (999 + EncryptedBlob.boxOverhead + 4)).write(to: blob)
        await #expect(throws: PlatformError.self) { _ = try await platform.datasets.open(id: dataset.id, version: 1, workspaceID: workspace) }
        try original.write(to: blob)
        #expect(try await PlatformFixtures.download(dataset.id, version: 1, from: platform, workspaceID: workspace).count == version.size)
    }

    @Test("an aborted or abandoned upload leaves no version and no file; reopening clears leftovers")
    func interruptedUpload() async throws {
        let (platform, admin) = try await PlatformFixtures.platform("datasets-abort")
        let workspace = admin.key.workspaceID
        let dataset = try await platform.datasets.create(name: "partial", workspaceID: workspace)
        let upload = try await platform.datasets.beginUpload(id: dataset.id, workspaceID: workspace)
        try PlatformFixtures.bytes(100_000, seed: 1).withUnsafeBytes { try upload.append($0) }
        #expect(FileManager.default.fileExists(atPath: platform.datasets.uploadsFolder.path))
        upload.abort()
        #expect(try await platform.datasets.versions(id: dataset.id, workspaceID: workspace).isEmpty)
        #expect(!PlatformFixtures.files(under: platform.dataFolder).contains { $0.pathExtension == "part" || $0.pathExtension == "blob" })
        // A process killed mid-upload leaves a .part file; the next open removes it.
        let killed = try await platform.datasets.beginUpload(id: dataset.id, workspaceID: workspace)
        try PlatformFixtures.bytes(10, seed: 2).withUnsafeBytes { try killed.append($0) }
        let reopened = try Platform(dataFolder: platform.dataFolder)
        #expect(!PlatformFixtures.files(under: reopened.dataFolder).contains { $0.pathExtension == "part" })
        #expect(try await reopened.datasets.versions(id: dataset.id, workspaceID: workspace).isEmpty)
        killed.abort()
    }

    @Test("uploads beyond the limit are refused and leave nothing")
    func uploadLimit() async throws {
        let (platform, admin) = try await PlatformFixtures.platform("datasets-limit", maxUploadBytes: 1000)
        let workspace = admin.key.workspaceID
        let dataset = try await platform.datasets.create(name: "big", workspaceID: workspace)
        let error = await #expect(throws: PlatformError.self) {
            _ = try await PlatformFixtures.upload(PlatformFixtures.bytes(5000, seed: 4), to: dataset.id, in: platform, workspaceID: workspace, chunk: 600)
        }
        #expect(error?.kind == .tooLarge)
        #expect(try await platform.datasets.versions(id: dataset.id, workspaceID: workspace).isEmpty)
    }

    @Test("rotating the master key re-wraps data keys without rewriting data; old master keys are gone")
    func rotateKey() async throws {
        let (platform, admin) = try await PlatformFixtures.platform("datasets-rotate")
        let workspace = admin.key.workspaceID
        let dataset = try await platform.datasets.create(name: "kept", workspaceID: workspace)
        let plaintext = PlatformFixtures.bytes(200_000, seed: 9)
        let version = try await PlatformFixtures.upload(plaintext, to: dataset.id, in: platform, workspaceID: workspace)
        let blob = platform.datasets.datasetFolder(dataset.id).appendingPathComponent("\(version.blobID).blob")
        let before = try Data(contentsOf: blob)
        let oldKeys = platform.datasets.keyring.ids
        let (newID, count) = try await platform.rotateMasterKey()
        #expect(count == 1 && !oldKeys.contains(newID))
        #expect(platform.datasets.keyring.ids == [newID])
        #expect(try Data(contentsOf: blob) == before)
        let reopened = try Platform(dataFolder: platform.dataFolder)
        #expect(try await reopened.store.dataset(id: dataset.id, workspaceID: workspace)?.masterKeyID == newID)
        #expect(try await PlatformFixtures.download(dataset.id, version: 1, from: reopened, workspaceID: workspace) == plaintext)
    }

    @Test("datasets are invisible from another workspace; names are checked")
    func isolation() async throws {
        let (platform, admin) = try await PlatformFixtures.platform("datasets-isolation")
        let other = try await platform.createWorkspace(name: "other", source: "test")
        let dataset = try await platform.datasets.create(name: "mine", workspaceID: admin.key.workspaceID)
        let error = await #expect(throws: PlatformError.self) { try await platform.datasets.get(id: dataset.id, workspaceID: other.key.workspaceID) }
        #expect(error?.kind == .notFound)
        #expect(try await platform.datasets.list(workspaceID: other.key.workspaceID).isEmpty)
        await #expect(throws: PlatformError.self) { try await platform.datasets.create(name: "../etc", workspaceID: admin.key.workspaceID) }
        let duplicate = await #expect(throws: PlatformError.self) { try await platform.datasets.create(name: "mine", workspaceID: admin.key.workspaceID) }
        #expect(duplicate?.kind == .conflict)
    }
}
