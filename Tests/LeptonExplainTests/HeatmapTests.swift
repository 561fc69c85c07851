import Foundation
import LeptonData
import LeptonExplain
import LeptonPlot
import LeptonTensor
import Testing

@Suite struct HeatmapTests {
    @Test func threeEnlargedPanelsThatDecodeAsAPNG() throws {
        let image = Tensor((0..<784).map { Float($0 % 256) }, shape: [1, 28, 28, 1])
        let attribution = Attribution(method: .gradcam, values: (0..<784).map { Float($0) }, shape: [28, 28, 1], target: 0, score: 1)
        let canvas = try Heatmap.canvas(image: image, attribution: attribution)
        #expect(Heatmap.scale(height: 28, width: 28) == 10)
        #expect(canvas.width == 3 * 280 + 4 * 12 && canvas.height == 280 + 3 * 12 + 10)
        let decoded = try ImageDecoder.decode(canvas.png(), mode: .rgb, source: "heatmap")
        #expect(decoded.width == canvas.width && decoded.height == canvas.height)
        // The map panel's last pixel is the brightest inferno colour, its first the darkest.
        #expect(canvas.pixel(x: 2 * 12 + 280 + 5, y: 12 + 5) == Colormap.inferno.color(0))
    }

    @Test func signedMapsUseTheDivergingColours() throws {
        let attribution = Attribution(method: .integratedGradients, values: [-1, 0, 0, 1], shape: [2, 2, 1], target: 0, score: 0)
        #expect(attribution.isSigned)
        let canvas = try Heatmap.canvas(image: Tensor.zeros([2, 2, 1]), attribution: attribution)
        let s = Heatmap.scale(height: 2, width: 2), mapPanel = 2 * 12 + 2 * s
        #expect(canvas.pixel(x: mapPanel + 1, y: 12 + 1) == Colormap.coolwarm.color(0))
        #expect(canvas.pixel(x: mapPanel + s + 1, y: 12 + 1) == Colormap.coolwarm.color(0.5))
    }

    @Test func mismatchedShapesAreErrors() {
        let attribution = Attribution(method: .saliency, values: [1, 2, 3], shape: [3], target: 0, score: 0)
        #expect(throws: ExplainError.self) { try Heatmap.canvas(image: Tensor.zeros([1, 2, 2, 1]), attribution: attribution) }
        #expect(throws: ExplainError.self) { try MatrixHeatmap.canvas([1, 2], rows: 2, columns: 2) }
    }
}
