import Foundation
import LeptonTestSupport
import Testing

/// Issue 19's hostile-file corpus through the command line: `python/hostile_corpus.py` crafts and
/// mutates about 2,200 files from valid seeds — NPY, NPZ, IDX (raw and gzipped, with bombs), PNG,
/// JPEG, YAML configs (alias bombs, deep nesting, numbers out of range), sentiment TSV and
/// MovieLens ratings, model.json, safetensors, ONNX — and runs `lepton` on each (predict, summary,
/// train, inspect). Every run must end with status 0, or 1 and one `error:` line: no crash, no
/// run over 40 s, no peak RSS over 1 GB.
@Suite struct HostileCorpusTests {
    @Test(.timeLimit(.minutes(20)))
    func everyHostileFileGetsAnAnswerNotACrash() throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-hostile")
        defer { try? FileManager.default.removeItem(at: dir) }
        let seeds = dir.appendingPathComponent("seeds"), corpus = dir.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: seeds, withIntermediateDirectories: true)
        // The seeds only Lepton writes: a small trained model folder and its ONNX export.
        let config = seeds.appendingPathComponent("tiny.yaml")
        try """
        dataset: {name: mnist, train_limit: 64, test_limit: 16}
        model: {input_shape: [28, 28, 1], layers: [{type: Conv2D, filters: 2, kernel_size: 3}, {type: MaxPooling2D, pool_size: 2},
                {type: Flatten}, {type: Dense, units: 10, activation: softmax}]}
        loss: sparse_categorical_crossentropy
        epochs: 1
        """.write(to: config, atomically: true, encoding: .utf8)
        let model = seeds.appendingPathComponent("model")
        let trained = try LeptonExecutable.run(["train", config.path, "--output", model.path], in: NumPyOracle.repositoryRoot)
        try #require(trained.status == 0, "\(trained.stderr)")
        let exported = try LeptonExecutable.run(["export", model.path, "--onnx", seeds.appendingPathComponent("model.onnx").path])
        try #require(exported.status == 0, "\(exported.stderr)")

        let script = NumPyOracle.repositoryRoot.appendingPathComponent("python/hostile_corpus.py").path
        let data = NumPyOracle.repositoryRoot.appendingPathComponent("../shared/datasets").standardizedFileURL.path
        let generated = try Self.python([script, corpus.path, seeds.path, data])
        let files = Int(generated.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(files >= 2000, "the corpus holds \(files) runs; expected at least 2,000")

        let report = try Self.python([script, "run", corpus.appendingPathComponent("manifest.tsv").path, LeptonExecutable.url.path, model.path])
        let lines = report.split(separator: "\n")
        for failure in lines where failure.hasPrefix("FAIL ") { Issue.record(Comment(rawValue: String(failure.dropFirst(5)))) }
        let summary = lines.last.map(String.init) ?? ""
        #expect(summary.hasPrefix("runs \(files) failures 0"), "\(summary)")
    }

    /// Runs the project's Python with `arguments`; returns its standard output.
    static func python(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [NumPyOracle.pythonExecutable] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let text = output.fileHandleForReading.readDataToEndOfFile()
        let problems = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NumPyOracleError(String(decoding: problems, as: UTF8.self))
        }
        return String(decoding: text, as: UTF8.self)
    }
}
