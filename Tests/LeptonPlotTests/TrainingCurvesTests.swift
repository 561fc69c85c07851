import LeptonPlot
import Testing

/// One panel per metric, training solid and validation dashed (`TrainingCurves.swift`).
@Suite struct TrainingCurvesTests {
    @Test func onePanelPerMetricWithTrainAndValidationInOneColour() throws {
        let history = try TrainingHistory(csv: TrainingHistoryTests.csv, source: "h.csv")
        let curves = TrainingCurves(history: history)
        #expect(curves.plottedMetrics == ["loss", "accuracy", "auc"])
        #expect(curves.defaultSize() == (width: 1120, height: 840))
        let loss = curves.chart("loss", color: .red)
        #expect(loss.series.map(\.name) == ["train", "validation"] && loss.series.map(\.dashed) == [false, true])
        #expect(loss.series.allSatisfy { $0.color == .red })
        let auc = curves.chart("auc", color: .red)
        #expect(auc.series.map(\.name) == ["validation"])

        let canvas = try curves.render()
        #expect(canvas.width == 1120 && canvas.height == 840)
        // Each panel has its own colour: loss (tab10 blue) left, accuracy (orange) right.
        func has(_ color: RGB, x: Range<Int>, y: Range<Int>) -> Bool {
            y.contains { row in x.contains { canvas.pixel(x: $0, y: row) == color } }
        }
        #expect(has(RGB.series[0], x: 0..<560, y: 0..<420) && !has(RGB.series[0], x: 560..<1120, y: 0..<420))
        #expect(has(RGB.series[1], x: 560..<1120, y: 0..<420) && has(RGB.series[2], x: 0..<560, y: 420..<840))
    }

    @Test func tooSmallImagesAndEmptyHistoriesAreErrors() throws {
        let history = try TrainingHistory(csv: TrainingHistoryTests.csv, source: "h.csv")
        #expect(throws: PlotError.self) { try TrainingCurves(history: history).render(width: 200, height: 200) }
        let empty = try TrainingHistory(csv: "epoch,loss\n0,\n", source: "e.csv")
        #expect(throws: PlotError.self) { try TrainingCurves(history: empty).render() }
    }
}
