import Foundation
import LeptonTestSupport
import Testing

/// The flags every computing subcommand shares (`Sources/lepton/CommonOptions.swift`), checked
/// in one place, and the command line's one error style: a single `error:` line, exit status 1.
@Suite struct CommonOptionsTests {
    @Test(arguments: ["train", "evaluate", "predict", "serve", "recommend", "demo"])
    func subcommandSharesTheFlags(subcommand: String) throws {
        try LeptonExecutable.requireBuilt()
        let (status, stdout, _) = try LeptonExecutable.run([subcommand, "--help"])
        #expect(status == 0)
        for flag in ["--threads <threads>", "--seed <seed>", "--data-dir <folder>", "--log-level <log-level>"] {
            #expect(stdout.contains(flag), "\(subcommand) --help lacks \(flag)")
        }
    }

    @Test func everyUserErrorIsOneLineAndStatus1() throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-common")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: file)
        let cases: [([String], String)] = [
            (["train", "c.yaml", "--threads", "0"], "error: --threads: expected an integer in 1...1024, got 0\n"),
            (["train", "c.yaml", "--threads", "99999999"], "error: --threads: expected an integer in 1...1024, got 99999999\n"),
            (["serve", "--repository", dir.path, "--threads", "99999999"], "error: --threads: expected an integer in 1...1024, got 99999999\n"),
            (["train", "c.yaml", "--data-dir", file.path], "error: --data-dir \(file.path): not a folder"),
            (["train", "c.yaml", "--seed=-1"], "error: The value '-1' is invalid for '--seed <seed>'"),
            (["train", "c.yaml", "--log-level", "loud"], "error: The value 'loud' is invalid for '--log-level <log-level>'"),
            (["train", "c.yaml", "--no-such-flag"], "error: Unknown option '--no-such-flag'"),
            (["frobnicate"], "error: Unexpected argument 'frobnicate'"),
            (["demo", "--steps", "0"], "error: --steps: expected an integer in 1...10000000, got 0\n"),
            (["demo", "--hidden", "1000000000"], "error: --hidden: expected an integer in 1...4096, got 1000000000\n"),
            (["recommend", "m", "--user", "0"], "error: --user: expected an id ≥ 1, got 0\n"),
            (["predict", "m", "x.npy", "--limit=-1"], "error: --limit: expected a positive integer, got -1\n"),
        ]
        for (arguments, expected) in cases {
            let (status, _, stderr) = try LeptonExecutable.run(arguments)
            #expect(status == 1, "\(arguments): exit status \(status)")
            #expect(stderr.hasPrefix(expected), "\(arguments): \(stderr)")
            #expect(stderr.split(separator: "\n").count == 1, "\(arguments): \(stderr)")
        }
    }

    @Test func dataDirPointsTheDatasetsAtAFolder() throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-data-dir")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("mnist.yaml")
        try "dataset: {name: mnist}\nmodel: {layers: [{type: Flatten}, {type: Dense, units: 10}]}\nloss: mse\n"
            .write(to: config, atomically: true, encoding: .utf8)
        let (status, _, stderr) = try LeptonExecutable.run(["train", config.path, "--data-dir", dir.path, "--output", dir.appendingPathComponent("out").path])
        #expect(status == 1)
        #expect(stderr.contains(dir.appendingPathComponent("mnist").path), "\(stderr)")
    }

    @Test func helpStillPrintsAndSucceeds() throws {
        try LeptonExecutable.requireBuilt()
        let (status, stdout, stderr) = try LeptonExecutable.run(["--help"])
        #expect(status == 0 && stderr.isEmpty)
        #expect(stdout.contains("SUBCOMMANDS"))
    }
}
