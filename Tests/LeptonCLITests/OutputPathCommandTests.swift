import Foundation
import LeptonTestSupport
import Testing

/// The command line never deletes what it did not create (issue 19): `lepton train cfg.yaml
/// --output .`, `output: ''` and `lepton import m.onnx --out ''` used to wipe the current folder.
@Suite struct OutputPathCommandTests {
    /// A config that loads (the output is checked before any data is read).
    static let config = "dataset: {name: mnist}\nmodel: {layers: [{type: Flatten}, {type: Dense, units: 10}]}\nloss: mse\n"

    @Test func trainRefusesTheCurrentFolderAndEmptyPaths() throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-output")
        defer { try? FileManager.default.removeItem(at: dir) }
        let configURL = dir.appendingPathComponent("cfg.yaml")
        try Self.config.write(to: configURL, atomically: true, encoding: .utf8)
        let emptyOutput = dir.appendingPathComponent("empty-output.yaml")
        try (Self.config + "output: ''\n").write(to: emptyOutput, atomically: true, encoding: .utf8)
        let before = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        let cases: [([String], String)] = [
            (["train", "cfg.yaml", "--output", "."], "is a folder of other files (2 entries: cfg.yaml, empty-output.yaml)"),
            (["train", "cfg.yaml", "--output", "", "--overwrite"], "--output: expected a path, got an empty one"),
            (["train", "empty-output.yaml"], "output: expected a folder for the trained model, got an empty path"),
            (["train", "cfg.yaml", "--output", "/dev/null"], "/dev/null: is a character device"),
        ]
        for (arguments, expected) in cases {
            let (status, _, stderr) = try LeptonExecutable.run(arguments, in: dir)
            #expect(status == 1, "\(arguments): exit status \(status)")
            #expect(stderr.hasPrefix("error: ") && stderr.contains(expected), "\(arguments): \(stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == before)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: "/dev/null", isDirectory: &isDirectory) && !isDirectory.boolValue)
    }

    @Test func trainRefusesAModelFolderWithoutOverwrite() throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-output")
        defer { try? FileManager.default.removeItem(at: dir) }
        let configURL = dir.appendingPathComponent("cfg.yaml")
        try Self.config.write(to: configURL, atomically: true, encoding: .utf8)
        let model = dir.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        try "{\"format\": \"lepton-model\"}".write(to: model.appendingPathComponent("model.json"), atomically: true, encoding: .utf8)
        let (status, _, stderr) = try LeptonExecutable.run(["train", configURL.path, "--output", model.path])
        #expect(status == 1 && stderr.contains("holds a Lepton model folder already; pass --overwrite"), "\(stderr)")
        #expect(try String(contentsOf: model.appendingPathComponent("model.json"), encoding: .utf8) == "{\"format\": \"lepton-model\"}")
    }
}
