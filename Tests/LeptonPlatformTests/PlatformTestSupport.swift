import Foundation
import LeptonPlatform
import LeptonTestSupport

/// Fresh platforms in temporary folders for the domain tests.
enum PlatformFixtures {
    /// A new temporary folder path (not created).
    static func folder(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("lepton-platform-\(name)-\(UUID().uuidString)")
    }

    /// An initialised platform and its first admin key, its state in `database` (nil: the
    /// SQLite file in its folder).
    static func platform(_ name: String, database: TestDatabase? = nil,
                         maxUploadBytes: Int = Platform.defaultMaxUploadBytes) async throws -> (Platform, IssuedKey) {
        let url = folder(name)
        let (_, admin) = try await Platform.initialize(dataFolder: url, database: database?.url)
        return (try Platform(dataFolder: url, database: database?.url, maxUploadBytes: maxUploadBytes), admin)
    }

    /// Uploads `bytes` in chunks of `chunk` bytes as a new version of dataset `id`.
    static func upload(_ bytes: [UInt8], to id: String, in platform: Platform, workspaceID: String, chunk: Int = 70_001) async throws -> DatasetVersion {
        let upload = try await platform.datasets.beginUpload(id: id, workspaceID: workspaceID)
        var start = 0
        while start < bytes.count {
            let end = min(start + chunk, bytes.count)
            try bytes[start..<end].withUnsafeBytes { try upload.append($0) }
            start = end
        }
        return try await upload.commit()
    }

    /// Reads version `number` of dataset `id` whole.
    static func download(_ id: String, version number: Int, from platform: Platform, workspaceID: String) async throws -> [UInt8] {
        let (_, reader) = try await platform.datasets.open(id: id, version: number, workspaceID: workspaceID)
        var bytes: [UInt8] = []
        while let chunk = try reader.next() { bytes += chunk }
        return bytes
    }

    /// `count` seeded pseudo-random bytes (a splitmix64 stream), so no run depends on luck.
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return UInt8(truncatingIfNeeded: z ^ (z >> 31))
        }
    }

    /// Every regular file under `folder`.
    static func files(under folder: URL) -> [URL] {
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        return (enumerator?.allObjects as? [URL] ?? []).filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
    }
}
