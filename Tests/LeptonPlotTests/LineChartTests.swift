import LeptonPlot
import Testing

/// Line charts: drawing, legend, log axes and the errors of bad input (`LineChart.swift`).
@Suite struct LineChartTests {
    static func count(_ color: RGB, in canvas: Canvas) -> Int {
        var n = 0
        for y in 0..<canvas.height { for x in 0..<canvas.width where canvas.pixel(x: x, y: y) == color { n += 1 } }
        return n
    }

    static func chart() -> LineChart {
        LineChart(title: "Loss", xLabel: "epoch", yLabel: "loss", series: [
            .init(name: "train", x: Array(1...40).map(Double.init), y: (1...40).map { 1 / Double($0) }),
            .init(name: "validation", x: Array(1...40).map(Double.init), y: (1...40).map { 1.2 / Double($0) + 0.05 }, dashed: true),
        ])
    }

    @Test func seriesColoursAndTheLegendAreDrawn() throws {
        let canvas = try Self.chart().render(width: 640, height: 400)
        #expect(canvas.width == 640 && canvas.height == 400)
        // Both default colours appear, the dashed one also in the legend.
        #expect(Self.count(RGB.series[0], in: canvas) > 200 && Self.count(RGB.series[1], in: canvas) > 100)
        // The legend box (white) with its two entries: pixels of each colour in the top-right area.
        let legend = (380..<630).flatMap { x in (30..<110).compactMap { canvas.pixel(x: x, y: $0) } }
        #expect(legend.contains(RGB.series[0]) && legend.contains(RGB.series[1]))
        // Text is dark grey or black; the title is black and centred over the plot.
        #expect((0..<30).contains { y in (250..<400).contains { canvas.pixel(x: $0, y: y) == .black } })
    }

    @Test func customColoursAreUsedAndTheOtherSeriesColourIsAbsent() throws {
        var chart = Self.chart()
        chart.series[0].color = RGB(10, 200, 10)
        chart.series[1].color = RGB(10, 200, 10)
        let canvas = try chart.render()
        #expect(Self.count(RGB(10, 200, 10), in: canvas) > 300)
        #expect(Self.count(RGB.series[0], in: canvas) == 0 && Self.count(RGB.series[1], in: canvas) == 0)
    }

    @Test func aLogAxisChartOfAnROCCurveRenders() throws {
        let far = [1e-4, 1e-3, 1e-2, 0.1, 1], tar = [0.2, 0.5, 0.8, 0.95, 1]
        var chart = LineChart(title: "ROC", xLabel: "false accept rate", yLabel: "true accept rate",
                              series: [.init(name: "model", x: far, y: tar)])
        chart.logX = true
        chart.yRange = 0...1
        let canvas = try chart.render()
        #expect(Self.count(RGB.series[0], in: canvas) > 100)
        // The same data on a linear x axis is another picture (the points crowd at the left).
        chart.logX = false
        #expect(try chart.render().pixels != canvas.pixels)
    }

    @Test func badInputIsAnErrorNamingTheProblem() throws {
        func message(_ chart: LineChart, width: Int = 800, height: Int = 500) -> String? {
            do { _ = try chart.render(width: width, height: height); return nil } catch let error as PlotError { return error.description } catch {
                return "\(error)"
            }
        }
        var chart = LineChart(title: "t", xLabel: "x", yLabel: "y")
        #expect(message(chart)?.contains("no points") == true)
        chart.series = [.init(name: "a", x: [1, 2, 3], y: [1, 2])]
        #expect(message(chart)?.contains("series \"a\": 3 x values but 2 y values") == true)
        chart.series = [.init(name: "a", x: [1, 2], y: [1, .nan])]
        #expect(message(chart)?.contains("y[1] is nan") == true)
        chart.series = [.init(name: "a", x: [1, .infinity], y: [1, 2])]
        #expect(message(chart)?.contains("x[1] is inf") == true)
        chart.series = [.init(name: "a", x: [0, 1], y: [1, 2])]
        chart.logX = true
        #expect(message(chart)?.contains("x[0] is 0.0; a logarithmic x axis needs positive values") == true)
        chart.logX = false
        #expect(message(chart, width: 20, height: 500)?.contains("expected at least") == true)
        #expect(message(chart, width: 100_000, height: 100_000)?.contains("at most") == true)
        chart.xRange = 2...2
        #expect(message(chart)?.contains("x range") == true)
        chart.xRange = nil
        chart.series = [.init(name: "a", x: [0, 1], y: [-1e308, 1e308])]
        #expect(message(chart)?.contains("too wide") == true)
        // One point, or all points equal, still draws.
        chart.series = [.init(name: "a", x: [3], y: [7])]
        #expect(message(chart) == nil)
    }
}
