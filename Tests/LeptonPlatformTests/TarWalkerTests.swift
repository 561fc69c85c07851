import Foundation
import LeptonPlatform
import Testing

@Suite("TarWalker")
struct TarWalkerTests {
    /// An image folder on disk (`faces/<class>/<n>.png`, plus a README and a long-named image),
    /// archived by GNU tar in `format`.
    static func archive(format: String) throws -> [UInt8] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tar-walker-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let root = folder.appendingPathComponent("faces")
        for (label, count) in [("face", 3), ("non-face", 5)] {
            let classFolder = root.appendingPathComponent(label)
            try FileManager.default.createDirectory(at: classFolder, withIntermediateDirectories: true)
            for n in 0..<count {
                // Sizes around the 512-byte block: the walker must skip data by arithmetic.
                try Data(repeating: UInt8(n), count: 300 + 211 * n).write(to: classFolder.appendingPathComponent("\(n).png"))
            }
        }
        try Data("about\n".utf8).write(to: root.appendingPathComponent("README.txt"))
        let deep = root.appendingPathComponent(String(repeating: "d", count: 90)).appendingPathComponent("face")
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        try Data(repeating: 9, count: 1500).write(to: deep.appendingPathComponent(String(repeating: "x", count: 80) + ".JPG"))
        let output = folder.appendingPathComponent("faces.tar")
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "--format=\(format)", "-cf", output.path, "-C", folder.path, "faces"]
        try tar.run()
        tar.waitUntilExit()
        #expect(tar.terminationStatus == 0)
        return Array(try Data(contentsOf: output))
    }

    /// Walks `bytes` fed in uneven pieces.
    static func walk(_ bytes: [UInt8], pieces: Int = 7) -> TarWalker {
        var walker = TarWalker()
        var start = 0, step = pieces
        while start < bytes.count {
            let end = min(start + step, bytes.count)
            bytes[start..<end].withUnsafeBytes { walker.consume($0) }
            start = end
            step = step * 3 % 4093 + 1
        }
        return walker
    }

    @Test("GNU (long names) and pax (path records) archives of an image folder: files, images and images per class")
    func countsImagesPerClass() throws {
        // (Plain ustar cannot hold the archive's 190-character path.)
        for format in ["gnu", "pax"] {
            let walker = Self.walk(try Self.archive(format: format))
            #expect(walker.state == .ended, "\(format)")
            #expect(walker.files == 10, "\(format)")
            #expect(walker.images == 9, "\(format)")
            #expect(walker.imagesPerClass == ["face": 4, "non-face": 5], "\(format)")
        }
    }

    @Test("whole-chunk and byte-at-a-time feeding agree")
    func chunkingDoesNotMatter() throws {
        let bytes = try Self.archive(format: "gnu")
        var whole = TarWalker()
        bytes.withUnsafeBytes { whole.consume($0) }
        let byBytes = Self.walk(bytes, pieces: 1)
        #expect(whole.imagesPerClass == byBytes.imagesPerClass)
        #expect(whole.files == byBytes.files && whole.state == byBytes.state)
    }

    @Test("text, zeros and short files are not tar; a damaged later header is malformed, not a crash")
    func refusesWhatIsNotTar() throws {
        #expect(Self.walk(Array(String(repeating: "a,b,c\n", count: 200).utf8)).state == .notTar)
        #expect(Self.walk([UInt8](repeating: 0, count: 2048)).state == .notTar)
        #expect(Self.walk([1, 2, 3]).state == .undecided)
        var bytes = try Self.archive(format: "gnu")
        // The second header (after the first entry, a folder with no data) loses its checksum.
        bytes[512 + 148] ^= 0x01
        let damaged = Self.walk(bytes)
        #expect(damaged.state == .malformed)
        // A header claiming a size of Int.max (GNU's base-256 form) ends the walk without overflow.
        var huge = try Self.archive(format: "gnu")
        for (i, byte) in ([0x80, 0, 0, 0, 0x7F] + [UInt8](repeating: 0xFF, count: 7)).enumerated() { huge[124 + i] = byte }
        var sum = 0
        for (i, byte) in huge[0..<512].enumerated() { sum += (148..<156).contains(i) ? 0x20 : Int(byte) }
        let checksum = Array(String(sum, radix: 8).utf8)
        for i in 148..<156 { huge[i] = 0 }
        let field = [UInt8](repeating: 0x30, count: 6 - checksum.count) + checksum
        for (i, byte) in field.enumerated() { huge[148 + i] = byte }
        huge[154] = 0
        huge[155] = 0x20
        #expect(Self.walk(huge).state == .malformed)
    }

    @Test("FormatSniffer previews an image-folder tar with its classes")
    func sniffedAsTar() throws {
        let preview = FormatSnifferTests.sniff(try Self.archive(format: "gnu"))
        #expect(preview.format == .tar)
        #expect(preview.files == 10 && preview.images == 9)
        #expect(preview.imageClasses == ["face": 4, "non-face": 5])
    }
}
