import Foundation
import LeptonPlot

extension VerificationReport {
    /// The ROC curve as a chart: true accept rate against false accept rate on a log axis (from
    /// one impostor pair, at most 1e-4, to 1), the chance diagonal, and a marker series at each
    /// target's operating point.
    public func rocChart(title: String, width: Int = 800, height: Int = 520) throws -> Canvas {
        let floor = max(1e-4, 1 / Double(roc.impostorCount))
        var rates: [Double] = [], accepts: [Double] = []
        var lastLog = -Double.infinity
        for point in roc.points where point.falseAcceptRate >= floor {
            let position = log10(point.falseAcceptRate)
            // At most about 2,000 points: one per 1/500 of a decade.
            guard position - lastLog >= 0.002 || point == roc.points.last else { continue }
            rates.append(point.falseAcceptRate)
            accepts.append(point.trueAcceptRate)
            lastLog = position
        }
        guard rates.count >= 2 else { throw EmbedError("ROC: too few impostor pairs to draw the curve above a false accept rate of \(floor)") }
        let diagonal = (0...LineChart.markerLimit).map { pow(10, log10(floor) * (1 - Double($0) / Double(LineChart.markerLimit))) }
        var chart = LineChart(title: title, xLabel: "false accept rate", yLabel: "true accept rate")
        chart.logX = true
        chart.xRange = floor...1
        chart.yRange = 0...1
        chart.series = [
            LineChart.Series(name: String(format: "ROC (AUC %.4f)", roc.auc), x: rates, y: accepts),
            // Enough points that the chance line draws no markers.
            LineChart.Series(name: "chance", x: diagonal, y: diagonal, color: .grey, dashed: true),
        ]
        for point in operatingPoints where point.falseAcceptRate >= floor {
            chart.series.append(LineChart.Series(name: String(format: "TAR@FAR=%@: %.3f", Self.rate(point.targetFalseAcceptRate), point.trueAcceptRate),
                                                 x: [point.falseAcceptRate], y: [point.trueAcceptRate]))
        }
        return try chart.render(width: width, height: height)
    }
}
