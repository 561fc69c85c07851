import Foundation
import LeptonFiles
import Testing

/// Whole-file reads: the bytes Foundation gives, without its 4 KiB leak per empty file.
@Suite struct FileContentsTests {
    @Test func readsBytesTextAndMissingFiles() throws {
        let dir = try OutputPathTests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("a.txt"), empty = dir.appendingPathComponent("empty")
        try Data("héllo\n".utf8).write(to: file)
        try Data().write(to: empty)
        #expect(try FileContents.read(file) == Data("héllo\n".utf8))
        #expect(try FileContents.read(file, mapped: true) == Data("héllo\n".utf8))
        #expect(FileContents.text(file) == "héllo\n")
        #expect(try FileContents.read(empty).isEmpty && FileContents.text(empty) == "")
        #expect(FileContents.read(atPath: empty.path) == Data())
        #expect(FileContents.read(atPath: dir.appendingPathComponent("missing").path) == nil)
        #expect(FileContents.read(atPath: dir.path) == nil, "a folder is not a file")
        #expect(throws: (any Error).self) { try FileContents.read(dir.appendingPathComponent("missing")) }
        try Data([0xFF, 0xFE, 0x00]).write(to: file)
        #expect(FileContents.text(file) == nil, "not UTF-8")
        // A device is not read to its end (/dev/zero has none): Foundation refuses it.
        #expect(FileContents.read(atPath: "/dev/zero") == nil)
        // /proc files report size 0 but have contents.
        #expect(FileContents.text(URL(fileURLWithPath: "/proc/self/status"))?.contains("VmRSS") == true)
    }

    /// Regression (the `npz` fuzz target): Foundation's whole-file reads leak 4 KiB per read of
    /// an empty file — 100,000 reads grew the process by 400 MB.
    @Test func readingEmptyFilesDoesNotLeak() throws {
        let dir = try OutputPathTests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = dir.appendingPathComponent("empty")
        try Data().write(to: empty)
        // Other tests run beside this one and allocate too, so the smallest growth of four rounds
        // counts: a leak would grow every round by about 100,000 KiB.
        var growths: [Int] = []
        for _ in 0..<4 {
            let before = Self.residentKiB()
            for _ in 0..<25_000 { _ = try FileContents.read(empty) }
            growths.append(Self.residentKiB() - before)
        }
        #expect(growths.min()! < 40_000, "RSS grew by \(growths) KiB in rounds of 25,000 reads of an empty file")
    }

    static func residentKiB() -> Int {
        let status = FileContents.text(URL(fileURLWithPath: "/proc/self/status")) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first { !$0.isEmpty } ?? "") ?? 0
    }
}
