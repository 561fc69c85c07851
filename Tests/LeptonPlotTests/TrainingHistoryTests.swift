import Foundation
import LeptonPlot
import Testing

/// Reading CSVLogger histories (`TrainingHistory.swift`).
@Suite struct TrainingHistoryTests {
    static let csv = """
        epoch,loss,accuracy,val_loss,val_accuracy,val_auc
        0,0.52,0.85,0.31,0.91,0.97
        1,0.25,0.93,0.21,0.94,
        2,0.18,0.95,nan,0.95,0.98

        """

    @Test func columnsValuesAndMetricsAreRead() throws {
        let history = try TrainingHistory(csv: Self.csv, source: "h.csv")
        #expect(history.epochs == [0, 1, 2])
        #expect(history.columns == ["loss", "accuracy", "val_loss", "val_accuracy", "val_auc"])
        #expect(history.metrics == ["loss", "accuracy", "auc"])
        #expect(history.points("val_loss").x == [0, 1] && history.points("val_loss").y == [0.31, 0.21])
        #expect(history.points("val_auc").x == [0, 2] && history.points("missing").x.isEmpty)
        let crlf = try TrainingHistory(csv: "epoch,loss\r\n0,1.5\r\n1,1.0\r\n", source: "w.csv")
        #expect(crlf.points("loss").y == [1.5, 1.0])
    }

    @Test func malformedLogsAreErrorsNamingFileAndLine() {
        func message(_ csv: String) -> String? {
            do { _ = try TrainingHistory(csv: csv, source: "h.csv"); return nil } catch { return "\(error)" }
        }
        #expect(message("")?.contains("h.csv: empty") == true)
        #expect(message("step,loss\n0,1\n")?.contains("h.csv line 1: no \"epoch\" column") == true)
        #expect(message("epoch,loss\n")?.contains("h.csv: a header but no rows") == true)
        #expect(message("epoch,loss\n0,1\n1,0.5,3\n")?.contains("h.csv line 3: 3 fields, expected 2") == true)
        #expect(message("epoch,loss\n0,1\n\n1,abc\n")?.contains("h.csv line 4, column loss: \"abc\" is not a number") == true)
        #expect(message("epoch,loss\n,1\n")?.contains("h.csv line 2, column epoch") == true)
        #expect(message("epoch,loss,loss\n0,1,1\n")?.contains("appears twice") == true)
    }

    @Test func filesThatAreNotRegularAreRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("history-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: PlotError.self) { try TrainingHistory.load(folder) }
        #expect(throws: PlotError.self) { try TrainingHistory.load(folder.appendingPathComponent("missing.csv")) }
        let file = folder.appendingPathComponent("h.csv")
        try Self.csv.write(to: file, atomically: true, encoding: .utf8)
        #expect(try TrainingHistory.load(file).epochs.count == 3)
    }
}
