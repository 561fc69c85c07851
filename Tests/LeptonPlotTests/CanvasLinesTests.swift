import LeptonPlot
import Testing

/// Anti-aliased strokes, dashes and markers (`Canvas+Lines.swift`, `Canvas+Shapes.swift`).
@Suite struct CanvasLinesTests {
    /// Whether `c` lies strictly between white and `line` in every channel that differs.
    static func isBetween(_ c: RGB, _ a: RGB, _ b: RGB) -> Bool {
        let values: [UInt8] = [c.r, c.g, c.b], low: [UInt8] = [a.r, a.g, a.b], high: [UInt8] = [b.r, b.g, b.b]
        for i in 0..<3 {
            let lo = min(low[i], high[i]), hi = max(low[i], high[i])
            if lo == hi ? values[i] != lo : !(lo < values[i] && values[i] < hi) { return false }
        }
        return c != a && c != b
    }

    @Test func aDiagonalLineHasASolidCoreAndBlendedEdges() throws {
        var canvas = try Canvas(width: 40, height: 40)
        let blue = RGB(0, 0, 200)
        canvas.strokeLine(from: PlotPoint(5, 5), to: PlotPoint(35, 25), color: blue, width: 2)
        // On the line (x = 20 → y = 15) the colour is the line's; far off it, the background.
        #expect(canvas.pixel(x: 20, y: 14) == blue || canvas.pixel(x: 20, y: 15) == blue)
        #expect(canvas.pixel(x: 20, y: 25) == .white && canvas.pixel(x: 20, y: 5) == .white)
        // Across the edge in column 20 some pixels are partly covered: between white and blue.
        let column = (8...22).compactMap { canvas.pixel(x: 20, y: $0) }
        #expect(column.contains { Self.isBetween($0, .white, blue) }, "\(column)")
        #expect(column.allSatisfy { $0 == .white || $0 == blue || Self.isBetween($0, .white, blue) })
    }

    @Test func aHorizontalLineOnPixelCentresIsCrispAndWiderLinesCoverMore() throws {
        var canvas = try Canvas(width: 30, height: 20)
        canvas.strokeLine(from: PlotPoint(2, 5.5), to: PlotPoint(28, 5.5), color: .black, width: 1)
        #expect(canvas.pixel(x: 15, y: 5) == .black && canvas.pixel(x: 15, y: 4) == .white && canvas.pixel(x: 15, y: 6) == .white)
        canvas.strokeLine(from: PlotPoint(2, 14.5), to: PlotPoint(28, 14.5), color: .black, width: 3)
        #expect((13...15).allSatisfy { canvas.pixel(x: 15, y: $0) == .black } && canvas.pixel(x: 15, y: 11) == .white)
    }

    @Test func aDashedLineHasGapsAndASolidOneHasNone() throws {
        var canvas = try Canvas(width: 120, height: 20)
        canvas.strokeLine(from: PlotPoint(0, 5.5), to: PlotPoint(120, 5.5), color: .black, width: 1, dash: [6, 4])
        canvas.strokeLine(from: PlotPoint(0, 14.5), to: PlotPoint(120, 14.5), color: .black, width: 1)
        let dashed = (0..<120).map { canvas.pixel(x: $0, y: 5) == .white }
        let solid = (0..<120).map { canvas.pixel(x: $0, y: 14) == .white }
        // Round caps reach half a pixel into each 4-pixel gap: two pixels of it stay white.
        #expect(dashed.filter { $0 }.count >= 20 && dashed.filter { !$0 }.count >= 70, "\(dashed)")
        #expect(!solid.contains(true))
        // The pattern repeats every 10 pixels.
        #expect(canvas.pixel(x: 2, y: 5) == .black && canvas.pixel(x: 12, y: 5) == .black && canvas.pixel(x: 8, y: 5) == .white)
    }

    @Test func polylineJointsAreNotPaintedTwice() throws {
        var canvas = try Canvas(width: 40, height: 40)
        let half = RGB(200, 0, 0)
        canvas.strokePolyline([PlotPoint(5, 20), PlotPoint(20, 8), PlotPoint(35, 20)], color: half, width: 3)
        // Every painted pixel is a mix of white and the colour, never darker than the colour.
        for y in 0..<40 { for x in 0..<40 { #expect(canvas.pixel(x: x, y: y)!.r >= 200) } }
    }

    @Test func clippingKeepsStrokesInsideTheRectangle() throws {
        var canvas = try Canvas(width: 40, height: 40)
        canvas.strokeLine(from: PlotPoint(0, 20.5), to: PlotPoint(40, 20.5), color: .black, width: 1,
                          clip: PlotRect(x: 10, y: 0, width: 20, height: 40))
        #expect(canvas.pixel(x: 5, y: 20) == .white && canvas.pixel(x: 15, y: 20) == .black && canvas.pixel(x: 35, y: 20) == .white)
    }

    @Test func markersAreFilledAndNonFiniteInputDrawsNothing() throws {
        var canvas = try Canvas(width: 30, height: 30)
        canvas.drawMarker(.circle, at: PlotPoint(10, 10), size: 8, color: .green)
        canvas.drawMarker(.square, at: PlotPoint(20, 20), size: 8, color: .red)
        canvas.drawMarker(.diamond, at: PlotPoint(20, 5), size: 6, color: .black)
        #expect(canvas.pixel(x: 9, y: 9) == .green && canvas.pixel(x: 19, y: 19) == .red && canvas.pixel(x: 19, y: 4) == .black)
        #expect(canvas.pixel(x: 4, y: 4) == .white && canvas.pixel(x: 25, y: 25) == .white)
        let before = canvas
        canvas.strokePolyline([PlotPoint(.nan, 3), PlotPoint(.infinity, 5)], color: .black)
        canvas.strokeLine(from: PlotPoint(0, 0), to: PlotPoint(30, 30), color: .black, width: .nan)
        canvas.drawMarker(.circle, at: PlotPoint(5, 5), size: -3, color: .black)
        #expect(canvas.pixels == before.pixels)
    }
}
