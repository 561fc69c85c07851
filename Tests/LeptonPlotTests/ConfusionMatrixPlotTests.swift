import LeptonPlot
import Testing

/// The confusion-matrix heatmap (`ConfusionMatrixPlot.swift`).
@Suite struct ConfusionMatrixPlotTests {
    static func brightness(_ c: RGB) -> Int { Int(c.r) * 2126 + Int(c.g) * 7152 + Int(c.b) * 722 }

    @Test func cellColoursRiseWithTheCounts() throws {
        let plot = ConfusionMatrixPlot(counts: [[90, 3, 0], [10, 70, 20], [1, 5, 50]], classNames: ["cat", "dog", "bird"])
        let colors = [0, 1, 3, 5, 10, 20, 50, 70, 90].map { plot.color(count: $0, maximum: 90) }
        #expect(zip(colors, colors.dropFirst()).allSatisfy { Self.brightness($0) < Self.brightness($1) })
        #expect(plot.color(count: 0, maximum: 90) == Colormap.viridis.color(0) && plot.color(count: 90, maximum: 90) == Colormap.viridis.color(1))

        let canvas = try plot.render()
        // Every cell colour is in the image, and the largest count's cell is the brightest.
        var found = Set<RGB>()
        for y in 0..<canvas.height { for x in 0..<canvas.width { found.insert(canvas.pixel(x: x, y: y)!) } }
        for row in plot.counts { for count in row { #expect(found.contains(plot.color(count: count, maximum: 90)), "\(count)") } }
        // Counts are written in a contrasting colour: white on the dark cells, near-black on the bright.
        #expect(found.contains(.white) && found.contains(RGB(20, 20, 20)))
    }

    @Test func manyClassesStayBoundedAndDropTheNumbers() throws {
        let n = 300
        let counts = (0..<n).map { i in (0..<n).map { $0 == i ? 100 : ($0 + i) % 7 } }
        let canvas = try ConfusionMatrixPlot(counts: counts).render()
        #expect(canvas.width < 1800 && canvas.height < 1800)
        #expect(ConfusionMatrixPlot.cellSize(classes: 10) == 64 && ConfusionMatrixPlot.cellSize(classes: 300) == 3)
    }

    @Test func badMatricesAreErrors() {
        func message(_ plot: ConfusionMatrixPlot) -> String? {
            do { _ = try plot.render(); return nil } catch { return "\(error)" }
        }
        #expect(message(ConfusionMatrixPlot(counts: []))?.contains("no classes") == true)
        #expect(message(ConfusionMatrixPlot(counts: [[1, 2], [3]]))?.contains("row 1 has 1 counts; expected 2") == true)
        #expect(message(ConfusionMatrixPlot(counts: [[1, -2], [3, 4]]))?.contains("negative") == true)
        #expect(message(ConfusionMatrixPlot(counts: [[1, 2], [3, 4]], classNames: ["a"]))?.contains("1 class names for 2 classes") == true)
        let huge = Array(repeating: [Int](), count: ConfusionMatrixPlot.maximumClasses + 1)
        #expect(message(ConfusionMatrixPlot(counts: huge))?.contains("at most") == true)
        #expect(message(ConfusionMatrixPlot(counts: [[0, 0], [0, 0]])) == nil)
    }
}
