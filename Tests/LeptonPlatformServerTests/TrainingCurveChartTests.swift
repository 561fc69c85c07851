import LeptonJobs
import LeptonPlatformServer
import Testing

/// `TrainingCurveChart`: a job's points as SVG line charts.
@Suite struct TrainingCurveChartTests {
    static let points = [
        TrainingMetricPoint(epoch: 1, batch: 5, batches: 10, values: ["loss": 2.0, "accuracy": 0.3], elapsed: 1),
        TrainingMetricPoint(epoch: 1, values: ["loss": 1.5, "accuracy": 0.5, "val_loss": 1.6, "val_accuracy": 0.45], seconds: 2, elapsed: 2),
        TrainingMetricPoint(epoch: 2, values: ["loss": 1.0, "accuracy": 0.7, "val_loss": 1.2, "val_accuracy": 0.6], seconds: 2, elapsed: 4),
    ]

    @Test func lossAndEachMetricGetAChartWithTheirValidationCurve() {
        let charts = TrainingCurveChart.charts(for: Self.points, epochs: 5)
        #expect(charts.map(\.title) == ["loss", "accuracy"])
        #expect(charts[0].series.map(\.name) == ["loss", "val_loss"])
        #expect(charts[0].series[0].points.map(\.x) == [0.5, 1, 2] && charts[0].series[0].dots.count == 2)
        let svg = charts[0].svg()
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>") && svg.contains("data-points=\"5\""))
        #expect(svg.components(separatedBy: "<polyline").count == 3 && svg.components(separatedBy: "<circle").count == 5)
        #expect(svg.contains(">5</text>"), "the x axis spans the planned epochs")
    }

    @Test func noPointsYetAndHostileNamesDrawSafely() {
        let empty = TrainingCurveChart.charts(for: [], epochs: nil)
        #expect(empty.count == 1 && empty[0].svg().contains("waiting for the first points"))
        let hostile = [TrainingMetricPoint(epoch: 1, values: ["loss": 1, "<script>x": 0.5], elapsed: 1)]
        let svg = TrainingCurveChart.charts(for: hostile, epochs: 1).map { $0.svg() }.joined()
        #expect(!svg.contains("<script>") && svg.contains("&lt;script&gt;x"))
        let flat = [TrainingMetricPoint(epoch: 1, values: ["loss": 1], elapsed: 1), TrainingMetricPoint(epoch: 2, values: ["loss": 1], elapsed: 2)]
        #expect(!TrainingCurveChart.charts(for: flat, epochs: 2)[0].svg().contains("nan"), "a flat curve still has a y range")
    }
}
