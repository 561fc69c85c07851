import LeptonPlot
import Testing

/// Histories from `lepton train --metrics-file` JSON lines (`TrainingHistory+JSONLines.swift`).
@Suite struct TrainingHistoryJSONLinesTests {
    @Test func epochLinesAreReadAndStepLinesLeftOut() throws {
        let text = """
            {"accuracy":0.5,"batch":1,"batches":4,"elapsed":0.1,"epoch":1,"loss":1.9}
            {"accuracy":0.8,"elapsed":0.4,"epoch":1,"loss":0.9,"seconds":0.4,"val_accuracy":0.85,"val_loss":0.7}
            {"accuracy":0.9,"elapsed":0.8,"epoch":2,"loss":0.5,"seconds":0.4,"val_accuracy":0.88,"val_loss":null}

            """
        let history = try TrainingHistory(jsonLines: text, source: "m.jsonl")
        #expect(history.epochs == [1, 2])
        #expect(history.columns == ["loss", "accuracy", "val_accuracy", "val_loss"] && history.metrics == ["loss", "accuracy"])
        #expect(history.points("loss").y == [0.9, 0.5] && history.points("val_loss").x == [1])
    }

    @Test func badLinesAreErrorsNamingTheLine() {
        func message(_ text: String) -> String? {
            do { _ = try TrainingHistory(jsonLines: text, source: "m.jsonl"); return nil } catch { return "\(error)" }
        }
        #expect(message("{\"epoch\":1,\"loss\":1}\nnot json\n")?.contains("m.jsonl line 2: not a JSON object") == true)
        #expect(message("{\"loss\":1}\n")?.contains("m.jsonl line 1: no numeric \"epoch\"") == true)
        #expect(message("{\"epoch\":1,\"loss\":\"high\"}\n")?.contains("m.jsonl line 1, key loss") == true)
        #expect(message("{\"epoch\":1,\"batch\":3,\"loss\":1}\n")?.contains("no epoch lines") == true)
    }
}
