import Foundation
import LeptonData
import LeptonPlot
import Testing

@Suite struct CanvasTests {
    @Test func drawingIsClippedAndThePNGDecodesToThePixels() throws {
        var canvas = try Canvas(width: 7, height: 5, background: .white)
        canvas.fill(x: -3, y: 3, width: 5, height: 10, .red)
        canvas.blend(x: 100, y: -1, .black)
        canvas.blend(x: 6, y: 0, .black, alpha: 0.5)
        #expect(canvas.pixel(x: 1, y: 4) == .red && canvas.pixel(x: 2, y: 4) == .white)
        #expect(canvas.pixel(x: 6, y: 0) == RGB(128, 128, 128) && canvas.pixel(x: 7, y: 0) == nil)
        let decoded = try ImageDecoder.decode(canvas.png(), mode: .rgb, source: "canvas")
        #expect(decoded.width == 7 && decoded.height == 5 && decoded.pixels == canvas.pixels)
    }

    @Test func badSizesAreErrorsNotAllocations() {
        #expect(throws: PlotError.self) { try Canvas(width: 0, height: 5) }
        #expect(throws: PlotError.self) { try Canvas(width: 1 << 20, height: 1 << 20) }
    }

    @Test func colormapsRunFromTheirLowToTheirHighEnd() {
        #expect(Colormap.viridis.color(0) == RGB(hex: 0x440154) && Colormap.viridis.color(1) == RGB(hex: 0xFDE725))
        #expect(Colormap.inferno.color(-5) == Colormap.inferno.color(0) && Colormap.inferno.color(.nan) == RGB(hex: 0x000004))
        let middle = Colormap.coolwarm.color(0.5)
        #expect(middle.r > 200 && middle.g > 200 && middle.b > 190)
    }
}
