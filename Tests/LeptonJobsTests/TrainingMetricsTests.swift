import Foundation
import LeptonJobs
import LeptonNN
import LeptonTrain
import Testing

/// `TrainingMetricsWriter` and `TrainingMetricsFile`: a job's curve as JSON lines, written a line
/// at a time and read back while it may still be written.
@Suite struct TrainingMetricsTests {
    static func scratch() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("lepton-metrics-\(UUID()).jsonl")
    }

    @Test func stepAndEpochLinesRoundTrip() throws {
        let url = Self.scratch()
        defer { try? FileManager.default.removeItem(at: url) }
        let writer = try TrainingMetricsWriter(path: url.path, batchInterval: 4)
        writer.record(.started(trainSamples: 100, testSamples: 10, parameters: 5, epochs: 2))
        for epoch in 0..<2 {
            for batch in 0..<10 { writer.record(.batchEnded(epoch: epoch, batch: batch, of: 10, logs: Logs([("loss", 1 / Float(batch + 1))]))) }
            writer.record(.epochEnded(epoch: epoch, logs: Logs([("loss", 0.5), ("accuracy", 0.75), ("val_loss", .nan), ("val_accuracy", 0.5)])))
        }
        writer.record(.evaluated(Logs([("loss", 0.1)])))
        let points = TrainingMetricsFile.read(url)
        // Batches 4 and 8 of each epoch (the 10th is the epoch's own line), then the epoch.
        #expect(points.map { $0.batch ?? 0 } == [4, 8, 0, 4, 8, 0])
        #expect(points.map(\.epoch) == [1, 1, 1, 2, 2, 2])
        #expect(points[0].values == ["loss": Double(Float(0.25))] && points[0].batches == 10 && points[0].position == 0.4)
        let epoch = points[2]
        #expect(epoch.isEpoch && epoch.position == 1 && epoch.seconds != nil && epoch.elapsed >= 0)
        #expect(epoch.values == ["loss": 0.5, "accuracy": 0.75, "val_accuracy": 0.5], "a NaN metric is left out: \(epoch.values)")
        let first = try #require(String(contentsOf: url, encoding: .utf8).split(separator: "\n").first)
        #expect(first.hasPrefix("{\"batch\":4,\"batches\":10,\"elapsed\":") && first.contains("\"epoch\":1") && first.contains("\"loss\":0.25"))
    }

    @Test func aTornLastLineAndGarbageAreSkipped() throws {
        let good = #"{"epoch":1,"loss":0.5,"elapsed":1}"#
        let data = Data((good + "\nnot json\n" + good + "\n" + #"{"epoch":2,"lo"#).utf8)
        #expect(TrainingMetricsFile.parse(data).map(\.epoch) == [1, 1])
        #expect(TrainingMetricsFile.parse(Data()).isEmpty)
        #expect(TrainingMetricsFile.read(Self.scratch()).isEmpty, "a file not written yet has no points")
    }

    @Test func appendsToAnExistingFileAndRefusesAnUnwritablePath() throws {
        let url = Self.scratch()
        defer { try? FileManager.default.removeItem(at: url) }
        for _ in 0..<2 {
            let writer = try TrainingMetricsWriter(path: url.path)
            writer.record(.epochEnded(epoch: 0, logs: Logs([("loss", 1)])))
        }
        #expect(TrainingMetricsFile.read(url).count == 2)
        #expect(throws: ConfigError.self) { try TrainingMetricsWriter(path: "/nonexistent-folder/metrics.jsonl") }
    }

    /// The job trains on a thread of its own (`events()`), not on one of the few threads that
    /// the suite's in-process servers answer on.
    @Test func aRealJobWritesAStepCurveAndEpochs() async throws {
        let url = Self.scratch()
        defer { try? FileManager.default.removeItem(at: url) }
        var options = TrainingJob.Options()
        options.batchEvents = true
        let writer = try TrainingMetricsWriter(path: url.path)
        for try await event in try TrainingJob(config: TrainingJobTests.config(output: nil), options: options).events() { writer.record(event) }
        let points = TrainingMetricsFile.read(url)
        let epochs = points.filter(\.isEpoch)
        #expect(epochs.map(\.epoch) == [1, 2])
        #expect(Set(epochs[0].values.keys) == ["loss", "accuracy", "val_loss", "val_accuracy"])
        // 384 training samples in batches of 64: 6 batches, a step line after each of the first 5.
        #expect(points.filter { !$0.isEpoch }.count == 10, "\(points)")
        #expect(points.map(\.position) == points.map(\.position).sorted())
    }
}
