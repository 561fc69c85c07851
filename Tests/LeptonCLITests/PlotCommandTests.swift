import Foundation
import LeptonTestSupport
import Testing

/// `lepton plot HISTORY.csv --out curves.png`: learning curves from a CSVLogger log.
@Suite struct PlotCommandTests {
    static let history = """
        epoch,loss,accuracy,val_loss,val_accuracy
        0,0.61,0.82,0.35,0.90
        1,0.29,0.92,0.24,0.93
        2,0.21,0.94,0.20,0.94

        """

    /// The chunks of a PNG file (type and length), checked from the signature to `IEND`, and
    /// the size its header gives; nil when the bytes are not a whole PNG.
    static func pngChunks(_ data: Data) -> (width: Int, height: Int, chunks: [String])? {
        let bytes = [UInt8](data)
        guard bytes.count > 33, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { return nil }
        func int(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        var chunks: [String] = [], offset = 8
        while offset + 12 <= bytes.count {
            let length = int(offset), type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            chunks.append(type)
            offset += 12 + length
            if type == "IEND" { break }
        }
        guard chunks.first == "IHDR", chunks.last == "IEND", chunks.contains("IDAT"), offset == bytes.count else { return nil }
        return (int(16), int(20), chunks)
    }

    @Test func plotWritesAPNGOfTheCurves() throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-plot")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.history.write(to: dir.appendingPathComponent("history.csv"), atomically: true, encoding: .utf8)

        let plotted = try LeptonExecutable.run(["plot", "history.csv", "--out", "curves.png"], in: dir)
        #expect(plotted.status == 0, "\(plotted.stderr)")
        #expect(plotted.stdout.contains("curves.png") && plotted.stdout.contains("loss, accuracy"), "\(plotted.stdout)")
        let png = try #require(Self.pngChunks(try Data(contentsOf: dir.appendingPathComponent("curves.png"))))
        #expect(png.width == 1120 && png.height == 420)

        let sized = try LeptonExecutable.run(["plot", "history.csv", "--out", "curves.png", "--width", "900", "--height", "300"], in: dir)
        #expect(sized.status == 0, "\(sized.stderr)")
        let resized = try #require(Self.pngChunks(try Data(contentsOf: dir.appendingPathComponent("curves.png"))))
        #expect(resized.width == 900 && resized.height == 300)
    }

    /// A run trained with a `CSVLogger` callback and `--metrics-file` is plotted from both, and its model's confusion matrix drawn
    /// by `lepton evaluate --confusion-matrix`.
    @Test func trainPlotAndEvaluateWithAConfusionMatrix() async throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-plot-train")
        defer { try? FileManager.default.removeItem(at: dir) }
        try PlatformClientTests.writeMNIST(into: dir.appendingPathComponent("mnist"), count: 64)
        let config = PlatformClientTests.config.replacingOccurrences(of: "epochs: 1", with: "epochs: 2\nvalidation_split: 0.25")
            + "callbacks: [{type: CSVLogger, path: history.csv}]\noutput: model\n"
        try config.write(to: dir.appendingPathComponent("tiny.yaml"), atomically: true, encoding: .utf8)
        let environment = ["LEPTON_DATA_DIR": dir.path]
        let trained = try await DashboardBrowserTests.offPool {
            try LeptonExecutable.run(["train", "tiny.yaml", "--metrics-file", "curve.jsonl"], in: dir, environment: environment)
        }
        #expect(trained.status == 0, "\(trained.stderr)")

        let plotted = try LeptonExecutable.run(["plot", "history.csv", "--out", "curves.png"], in: dir)
        #expect(plotted.status == 0 && plotted.stdout.contains("over 2 epochs"), "\(plotted.stdout)\(plotted.stderr)")
        #expect(Self.pngChunks(try Data(contentsOf: dir.appendingPathComponent("curves.png")))?.width == 1120)
        let fromMetricsFile = try LeptonExecutable.run(["plot", "curve.jsonl", "--out", "curve.png"], in: dir)
        #expect(fromMetricsFile.status == 0 && fromMetricsFile.stdout.contains("loss, accuracy over 2 epochs"), "\(fromMetricsFile.stdout)\(fromMetricsFile.stderr)")

        let evaluated = try LeptonExecutable.run(["evaluate", "model", "tiny.yaml", "--confusion-matrix", "cm.png"], in: dir, environment: environment)
        #expect(evaluated.status == 0 && evaluated.stdout.contains("accuracy") && evaluated.stdout.contains("10 × 10 confusion matrix"),
                "\(evaluated.stdout)\(evaluated.stderr)")
        let matrix = try #require(Self.pngChunks(try Data(contentsOf: dir.appendingPathComponent("cm.png"))))
        #expect(matrix.width > 640 && matrix.height > 640)

        try config.replacingOccurrences(of: "sparse_categorical_crossentropy", with: "mse")
            .write(to: dir.appendingPathComponent("regression.yaml"), atomically: true, encoding: .utf8)
        let regression = try LeptonExecutable.run(["evaluate", "model", "regression.yaml", "--confusion-matrix", "cm2.png"], in: dir, environment: environment)
        #expect(regression.status == 1 && regression.stderr.contains("--confusion-matrix: regression.yaml trains with the loss"), "\(regression.stderr)")
    }

    @Test func badLogsAndFlagsAreOneLineErrors() throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-plot-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        try "epoch,loss\n0,0.5\n1,lots\n".write(to: dir.appendingPathComponent("bad.csv"), atomically: true, encoding: .utf8)

        let bad = try LeptonExecutable.run(["plot", "bad.csv", "--out", "curves.png"], in: dir)
        #expect(bad.status == 1 && bad.stderr.hasPrefix("error: ") && bad.stderr.split(separator: "\n").count == 1, "\(bad.stderr)")
        #expect(bad.stderr.contains("bad.csv line 3, column loss: \"lots\" is not a number"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("curves.png").path))

        let missing = try LeptonExecutable.run(["plot", "missing.csv", "--out", "curves.png"], in: dir)
        #expect(missing.status == 1 && missing.stderr.contains("missing.csv: no such file"), "\(missing.stderr)")
        let tiny = try LeptonExecutable.run(["plot", "bad.csv", "--out", "curves.png", "--width", "10"], in: dir)
        #expect(tiny.status == 1 && tiny.stderr.contains("--width: expected a number of pixels in 160...8192, got 10"), "\(tiny.stderr)")
        let noFolder = try LeptonExecutable.run(["plot", "bad.csv", "--out", "missing/curves.png"], in: dir)
        #expect(noFolder.status == 1 && noFolder.stderr.contains("--out missing/curves.png: the folder") && noFolder.stderr.contains("does not exist"),
                "\(noFolder.stderr)")
        let folder = try LeptonExecutable.run(["plot", "bad.csv", "--out", "."], in: dir)
        #expect(folder.status == 1 && folder.stderr.hasPrefix("error: "), "\(folder.stderr)")
    }
}
