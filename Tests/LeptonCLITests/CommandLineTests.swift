import Foundation
import LeptonTestSupport
import Testing

/// Runs the built `lepton` executable (it sits beside the test bundle) and checks that user
/// errors give one clear line on standard error and a non-zero exit, never a crash.
@Suite struct CommandLineTests {
    @Test func userErrorsGiveOneLineAndANonZeroExit() throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let badConfig = dir.appendingPathComponent("bad.yaml")
        try "dataset: {name: mnist}\nmodel: {layers: [{type: Dense, units: -3}]}\nloss: mse\n".write(to: badConfig, atomically: true, encoding: .utf8)
        let badLabels = dir.appendingPathComponent("mnist")
        try FileManager.default.createDirectory(at: badLabels, withIntermediateDirectories: true)
        for (name, bytes) in [("train-images-idx3-ubyte", [0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 7] as [UInt8]),
                              ("train-labels-idx1-ubyte", [0, 0, 8, 1, 0, 0, 0, 1, 12]),
                              ("t10k-images-idx3-ubyte", [0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 7]),
                              ("t10k-labels-idx1-ubyte", [0, 0, 8, 1, 0, 0, 0, 1, 3])] {
            try Data(bytes).write(to: badLabels.appendingPathComponent(name))
        }
        let labelConfig = dir.appendingPathComponent("labels.yaml")
        try "dataset: {name: mnist, path: \(badLabels.path)}\nmodel: {layers: [{type: Flatten}, {type: Dense, units: 10}]}\nloss: mse\n"
            .write(to: labelConfig, atomically: true, encoding: .utf8)
        let student = dir.appendingPathComponent("student.yaml")
        try "dataset: {name: mnist, train_limit: 64, test_limit: 32}\nmodel: {layers: [{type: Flatten}, {type: Dense, units: 10, activation: softmax}]}\nloss: sparse_categorical_crossentropy\n"
            .write(to: student, atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["distill", dir.path, student.path], "model.json not found"),
            (["distill", dir.path, student.path, "--alpha", "2"], "distillation.alpha: expected a weight in [0, 1], got 2"),
            (["train", "/nonexistent/config.yaml"], "cannot read the file"),
            (["train", badConfig.path], "model.layers[0].units: expected an integer ≥ 1, got -3"),
            (["train", labelConfig.path], "label 12 at index 0 is out of range 0..<10"),
            (["summary", dir.path], "model.json not found"),
            (["predict", dir.path, "/nonexistent.npy"], "model.json not found"),
        ]
        for (arguments, expected) in cases {
            let (status, _, stderr) = try LeptonExecutable.run(arguments)
            #expect(status == 1, "\(arguments): exit status \(status)")
            #expect(stderr.hasPrefix("error: ") && stderr.contains(expected), "\(arguments): \(stderr)")
            #expect(stderr.split(separator: "\n").count == 1, "\(arguments): \(stderr)")
        }
    }
}
