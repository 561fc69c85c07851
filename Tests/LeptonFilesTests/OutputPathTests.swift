import Foundation
import LeptonFiles
import Testing

/// What may stand at an output path: never a device, a FIFO, a link or somebody else's files.
@Suite struct OutputPathTests {
    static let kind = OutputFolderKind(name: "a test model folder", marker: ("model.json", "\"lepton-"), files: ["model.safetensors"])

    /// A fresh scratch folder (the caller removes it).
    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-output-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func fifo(in dir: URL) throws -> URL {
        let url = dir.appendingPathComponent("pipe")
        #expect(mkfifo(url.path, 0o644) == 0)
        return url
    }

    @Test func aMissingPathOrAnEmptyFolderMayBeWritten() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try OutputPath.checkFolder(dir.appendingPathComponent("new"), kind: Self.kind, overwrite: false)
        try OutputPath.checkFolder(dir, kind: Self.kind, overwrite: false)
        try OutputPath.checkFile(dir.appendingPathComponent("new.onnx"), overwrite: false)
    }

    @Test func aFolderOfOtherFilesIsNeverReplaced() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "notes".write(to: dir.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let error = #expect(throws: OutputPathError.self) { try OutputPath.checkFolder(dir, kind: Self.kind, overwrite: true) }
        #expect(error?.description.contains("is a folder of other files (1 entries: notes.txt)") == true, "\(String(describing: error))")
        // A model folder with a file Lepton did not write is somebody else's too.
        try "{\"format\": \"lepton-model\"}".write(to: dir.appendingPathComponent("model.json"), atomically: true, encoding: .utf8)
        #expect(throws: OutputPathError.self) { try OutputPath.checkFolder(dir, kind: Self.kind, overwrite: true) }
        // A model.json that is not Lepton's does not make a model folder.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("notes.txt"))
        try "{\"name\": \"package\"}".write(to: dir.appendingPathComponent("model.json"), atomically: true, encoding: .utf8)
        #expect(throws: OutputPathError.self) { try OutputPath.checkFolder(dir, kind: Self.kind, overwrite: true) }
    }

    @Test func aFolderOfTheSameKindIsReplacedOnlyWithOverwrite() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "{\"format\": \"lepton-model\"}".write(to: dir.appendingPathComponent("model.json"), atomically: true, encoding: .utf8)
        try Data([1, 2]).write(to: dir.appendingPathComponent("model.safetensors"))
        let error = #expect(throws: OutputPathError.self) { try OutputPath.checkFolder(dir, kind: Self.kind, overwrite: false) }
        #expect(error?.message.contains("pass --overwrite") == true)
        try OutputPath.checkFolder(dir, kind: Self.kind, overwrite: true)
    }

    @Test func devicesFIFOsLinksAndFilesAreRefusedAsFolders() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pipe = try Self.fifo(in: dir)
        let link = dir.appendingPathComponent("link")
        let target = dir.appendingPathComponent("target")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        let file = dir.appendingPathComponent("file.txt")
        try "keep".write(to: file, atomically: true, encoding: .utf8)
        for (url, phrase) in [(URL(fileURLWithPath: "/dev/null"), "is a character device"), (pipe, "is a FIFO"),
                              (link, "is a symbolic link"), (file, "is a file")] {
            let error = #expect(throws: OutputPathError.self) { try OutputPath.checkFolder(url, kind: Self.kind, overwrite: true) }
            #expect(error?.message.hasPrefix(phrase) == true, "\(url.path): \(String(describing: error))")
        }
    }

    @Test func aFileIsReplacedOnlyWhenRegularAndAllowed() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("model.onnx")
        try "old".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: OutputPathError.self) { try OutputPath.checkFile(file, overwrite: false) }
        try OutputPath.checkFile(file, overwrite: true)
        for url in [URL(fileURLWithPath: "/dev/full"), try Self.fifo(in: dir), dir] {
            #expect(throws: OutputPathError.self) { try OutputPath.checkFile(url, overwrite: true) }
        }
    }

    @Test func anEmptyPathIsRefused() throws {
        let error = #expect(throws: OutputPathError.self) { try OutputPath.checkNotEmpty(" ", what: "--output") }
        #expect(error?.message == "--output: expected a path, got an empty one")
        try OutputPath.checkNotEmpty("out/model", what: "--output")
    }
}
