import Foundation
import LeptonData
import Testing

/// The grid of labelled predictions: an RGB PNG that decodes back, captions green where right
/// and red (with a frame) where wrong.
@Suite struct LabelledGridTests {
    @Test func writesAnRGBPNGWithColouredCaptions() throws {
        let grey = [UInt8](repeating: 200, count: 4 * 5)
        let tiles = [LabelledGrid.Tile(pixels: grey, caption: "face", correct: true),
                     LabelledGrid.Tile(pixels: grey, caption: "nonface", correct: false),
                     LabelledGrid.Tile(pixels: grey, caption: "7", correct: nil)]
        let png = LabelledGrid.png(tiles, height: 4, width: 5, channels: 1, columns: 2, scale: 3)
        let image = try ImageDecoder.decode(png, mode: .rgb, source: "grid.png")
        // Two columns of 15-pixel-wide cells, two rows of 12 + 14 pixel cells, 4-pixel borders.
        #expect(image.width == 2 * (15 + 4) + 4 && image.height == 2 * (12 + 14 + 4) + 4)
        let pixels = stride(from: 0, to: image.pixels.count, by: 3).map { (image.pixels[$0], image.pixels[$0 + 1], image.pixels[$0 + 2]) }
        #expect(pixels.contains { $0 == (60, 220, 60) } && pixels.contains { $0 == (255, 40, 40) } && pixels.contains { $0 == (255, 255, 255) })
        #expect(pixels.contains { $0 == (200, 200, 200) })
    }
}
