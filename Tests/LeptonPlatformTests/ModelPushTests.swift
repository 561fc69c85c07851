import Foundation
import LeptonPlatform
import Testing

/// `ModelPush` (Registry/ModelPush.swift, over Archive/Tar*): a tar of a model folder becomes a
/// version whose files read back exactly, whatever the chunking and whichever tar wrote it; a
/// malformed, hostile, truncated or oversized archive is refused and leaves nothing behind.
@Suite("ModelPush")
struct ModelPushTests {
    /// Writes `files` into a folder and archives them with ``TarWriter``.
    static func archive(_ files: [(String, [UInt8])]) throws -> [UInt8] {
        let folder = PlatformFixtures.folder("push-src")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, bytes) in files { try Data(bytes).write(to: folder.appendingPathComponent(name)) }
        let tar = folder.appendingPathComponent("archive.tar")
        try TarWriter.write(files.map { ($0.0, folder.appendingPathComponent($0.0)) }, to: tar)
        return Array(try Data(contentsOf: tar))
    }

    static func push(_ archive: [UInt8], name: String = "pushed", chunk: Int = 65_536, in platform: Platform, workspaceID: String,
                     limit: Int = 1 << 30) async throws -> (RegisteredModel, ModelVersion) {
        let push = try await platform.models.beginPush(name: name, workspaceID: workspaceID, limit: limit)
        var start = 0
        while start < archive.count {
            let end = min(start + chunk, archive.count)
            try archive[start..<end].withUnsafeBytes { try push.append($0) }
            start = end
        }
        return try await push.commit()
    }

    static func read(_ file: String, version: String, model: String, platform: Platform, workspaceID: String) async throws -> [UInt8] {
        let (_, stream) = try await platform.models.openFile(file, version: version, model: model, workspaceID: workspaceID)
        return try ModelRegistryTests.read(stream)
    }

    @Test("an archive read in any chunking becomes a version whose files read back exactly")
    func roundTrip() async throws {
        let (platform, admin) = try await PlatformFixtures.platform("push")
        let workspace = admin.key.workspaceID
        let weights = PlatformFixtures.bytes(700_001, seed: 3), json = Array(#"{"layers": []}"#.utf8)
        let tar = try Self.archive([("model.json", json), ("model.safetensors", weights), ("empty.txt", [])])
        for (round, chunk) in [1, 511, 512, 513, 100_000].enumerated() {
            let (model, version) = try await Self.push(tar, chunk: chunk, in: platform, workspaceID: workspace)
            #expect(model.name == "pushed" && version.number == round + 1, "chunk \(chunk)")
            #expect(version.files.map(\.name).sorted() == ["empty.txt", "model.json", "model.safetensors"])
            #expect(try await Self.read("model.safetensors", version: "\(version.number)", model: "pushed", platform: platform, workspaceID: workspace) == weights)
            #expect(try await Self.read("empty.txt", version: "\(version.number)", model: "pushed", platform: platform, workspaceID: workspace) == [])
        }
    }

    @Test("an archive GNU tar wrote (./ entries, its own header fields) is read")
    func gnuTar() async throws {
        let (platform, admin) = try await PlatformFixtures.platform("push-gnu")
        let folder = PlatformFixtures.folder("push-gnu-src")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let weights = PlatformFixtures.bytes(10_000, seed: 4)
        try Data(#"{"layers": []}"#.utf8).write(to: folder.appendingPathComponent("model.json"))
        try Data(weights).write(to: folder.appendingPathComponent("model.safetensors"))
        let tar = FileManager.default.temporaryDirectory.appendingPathComponent("gnu-\(UUID()).tar")
        defer { try? FileManager.default.removeItem(at: tar) }
        for format in ["gnu", "pax", "ustar"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/tar")
            process.arguments = ["--format=\(format)", "-cf", tar.path, "-C", folder.path, "."]
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            let (_, version) = try await Self.push(Array(try Data(contentsOf: tar)), name: "gnu-\(format)", in: platform, workspaceID: admin.key.workspaceID)
            #expect(version.files.map(\.name).sorted() == ["model.json", "model.safetensors"], "\(format)")
            #expect(try await Self.read("model.safetensors", version: "1", model: "gnu-\(format)", platform: platform, workspaceID: admin.key.workspaceID) == weights)
        }
    }

    @Test("malformed, hostile, truncated and oversized archives are refused and leave no model")
    func refusals() async throws {
        let (platform, admin) = try await PlatformFixtures.platform("push-bad")
        let workspace = admin.key.workspaceID
        let good = try Self.archive([("model.json", Array("{}".utf8)), ("model.safetensors", [1, 2, 3])])
        func header(name: String, type: UInt8 = UInt8(ascii: "0"), size: String = "00000000003") -> [UInt8] {
            var block = [UInt8](repeating: 0, count: 512)
            for (i, b) in name.utf8.enumerated() { block[i] = b }
            for (i, b) in size.utf8.enumerated() { block[124 + i] = b }
            block[156] = type
            for (i, b) in "ustar\000".utf8.enumerated() { block[257 + i] = b }
            for i in 148..<156 { block[i] = 32 }
            let sum = block.reduce(0) { $0 + Int($1) }
            for (i, b) in (String(sum, radix: 8).count < 6 ? String(repeating: "0", count: 6 - String(sum, radix: 8).count) + String(sum, radix: 8) : String(sum, radix: 8)).utf8.enumerated() { block[148 + i] = b }
            block[154] = 0
            return block
        }
        var badChecksum = good
        badChecksum[10] ^= 0xFF
        let cases: [(String, [UInt8], String)] = [
            ("no model.json", try Self.archive([("weights.bin", [1])]), "no model.json"),
            ("truncated", Array(good.prefix(700)), "ends inside an entry"),
            ("bad checksum", badChecksum, "checksum"),
            ("parent path", header(name: "../model.json") + [1, 2, 3] + [UInt8](repeating: 0, count: 509 + 1024), "not a plain file name"),
            ("absolute path", header(name: "/etc/passwd") + [UInt8](repeating: 0, count: 512 + 1024), "not a plain file name"),
            ("sub folder", header(name: "a/model.json") + [UInt8](repeating: 0, count: 512 + 1024), "not a plain file name"),
            ("symlink", header(name: "model.json", type: UInt8(ascii: "2"), size: "00000000000") + [UInt8](repeating: 0, count: 1024), "not a regular file"),
            ("size not octal", header(name: "model.json", size: "9999999999x") + [UInt8](repeating: 0, count: 1024), "not an octal number"),
            ("duplicate", Array(try Self.archive([("model.json", [1])]).dropLast(1024)) + (try Self.archive([("model.json", [2])])), "twice"),
            ("random bytes", PlatformFixtures.bytes(5000, seed: 9), "tar entry 0"),
        ]
        for (label, bytes, expected) in cases {
            do {
                _ = try await Self.push(bytes, name: "bad", chunk: 333, in: platform, workspaceID: workspace)
                Issue.record("\(label): accepted")
            } catch let error as PlatformError {
                #expect(error.message.contains(expected), "\(label): \(error.message)")
            }
        }
        await #expect(throws: PlatformError.self) { _ = try await Self.push(good, name: "big", in: platform, workspaceID: workspace, limit: 1000) }
        // The writer refuses what the reader would: a name that is not one plain file name.
        let source = PlatformFixtures.folder("push-name"), tar = PlatformFixtures.folder("push-name-tar")
        try Data([1]).write(to: source)
        defer { try? FileManager.default.removeItem(at: source); try? FileManager.default.removeItem(at: tar) }
        for name in [String(repeating: "w", count: 101), "a/b.json", "../model.json"] {
            #expect(throws: PlatformError.self, "\(name)") { try TarWriter.write([(name, source)], to: tar) }
        }
        #expect(try await platform.models.list(workspaceID: workspace).isEmpty, "a refused push creates no model")
        #expect(try FileManager.default.contentsOfDirectory(atPath: platform.dataFolder.appendingPathComponent("uploads").path).isEmpty,
                "no staged file is left")
    }
}
