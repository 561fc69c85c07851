import Foundation
import LeptonTestSupport
import Testing

/// `lepton train --metrics-file FILE`: the training curve as JSON lines, one per epoch and the
/// running loss every few batches.
@Suite struct TrainMetricsFileTests {
    @Test func trainWritesEpochAndStepLines() async throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-train-metrics")
        defer { try? FileManager.default.removeItem(at: dir) }
        try PlatformClientTests.writeMNIST(into: dir.appendingPathComponent("mnist"), count: 256)
        try PlatformClientTests.config.replacingOccurrences(of: "epochs: 1", with: "epochs: 2\nvalidation_split: 0.25")
            .write(to: dir.appendingPathComponent("tiny.yaml"), atomically: true, encoding: .utf8)
        let trained = try await DashboardBrowserTests.offPool {
            try LeptonExecutable.run(["train", "tiny.yaml", "--metrics-file", "curve.jsonl"], in: dir, environment: ["LEPTON_DATA_DIR": dir.path])
        }
        #expect(trained.status == 0, "\(trained.stderr)")
        let lines = try String(contentsOf: dir.appendingPathComponent("curve.jsonl"), encoding: .utf8).split(separator: "\n")
        let points = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let epochs = points.filter { $0["batch"] == nil }
        #expect(epochs.map { $0["epoch"] as? Int } == [1, 2], "\(lines)")
        #expect(epochs.allSatisfy { $0["loss"] is Double && $0["accuracy"] is Double && $0["val_loss"] is Double && $0["seconds"] is Double })
        // 192 training samples in batches of 16: 12 batches, a step line after each of the first 11.
        #expect(points.filter { $0["batch"] != nil }.count == 22 && points.first?["batches"] as? Int == 12, "\(lines)")

        let refused = try LeptonExecutable.run(["train", "tiny.yaml", "--metrics-file", "missing/folder/curve.jsonl"], in: dir,
                                               environment: ["LEPTON_DATA_DIR": dir.path])
        #expect(refused.status == 1 && refused.stderr.contains("--metrics-file missing/folder/curve.jsonl"), "\(refused.stderr)")
    }
}
