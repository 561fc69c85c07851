import Foundation

/// A grid of images, each with a caption under it — the predicted class, in red where it is
/// wrong and green where it is right (white when the truth is unknown) — written as an RGB PNG,
/// as the seeds' face recogniser shows its results.
public enum LabelledGrid {
    /// One tile: the image's bytes (`height × width × channels`, 1 or 3 channels, values 0–255),
    /// its caption, and whether the caption is right (nil: unknown).
    public struct Tile {
        public let pixels: [UInt8]
        public let caption: String
        public let correct: Bool?
        public init(pixels: [UInt8], caption: String, correct: Bool?) {
            self.pixels = pixels
            self.caption = caption
            self.correct = correct
        }
    }

    /// Draws `tiles` of `height × width × channels` images in `columns` columns, each image
    /// enlarged `scale` times, and returns the PNG.
    public static func png(_ tiles: [Tile], height: Int, width: Int, channels: Int, columns: Int = 5, scale: Int = 3) -> Data {
        let fontScale = 2, captionHeight = (BitmapFont.height + 2) * fontScale, border = 4
        let cellWidth = max(width * scale, 8), cellHeight = height * scale + captionHeight
        let rows = max(1, (tiles.count + columns - 1) / columns)
        let canvasWidth = columns * (cellWidth + border) + border, canvasHeight = rows * (cellHeight + border) + border
        var canvas = [UInt8](repeating: 32, count: canvasWidth * canvasHeight * 3)
        func put(_ x: Int, _ y: Int, _ rgb: (UInt8, UInt8, UInt8)) {
            guard x >= 0, x < canvasWidth, y >= 0, y < canvasHeight else { return }
            let i = (y * canvasWidth + x) * 3
            (canvas[i], canvas[i + 1], canvas[i + 2]) = rgb
        }
        for (index, tile) in tiles.enumerated() {
            let left = border + (index % columns) * (cellWidth + border), top = border + (index / columns) * (cellHeight + border)
            for y in 0..<(height * scale) {
                for x in 0..<(width * scale) {
                    let p = ((y / scale) * width + x / scale) * channels
                    guard p + channels <= tile.pixels.count else { continue }
                    let rgb = channels == 3 ? (tile.pixels[p], tile.pixels[p + 1], tile.pixels[p + 2]) : (tile.pixels[p], tile.pixels[p], tile.pixels[p])
                    put(left + x, top + y, rgb)
                }
            }
            let colour: (UInt8, UInt8, UInt8) = tile.correct.map { $0 ? (60, 220, 60) : (255, 40, 40) } ?? (255, 255, 255)
            let textTop = top + height * scale + fontScale
            let maxCharacters = max(1, cellWidth / ((BitmapFont.width + 1) * fontScale))
            for (k, character) in tile.caption.prefix(maxCharacters).enumerated() {
                for gy in 0..<BitmapFont.height {
                    for gx in 0..<BitmapFont.width where BitmapFont.isSet(character, x: gx, y: gy) {
                        for dy in 0..<fontScale {
                            for dx in 0..<fontScale {
                                put(left + (k * (BitmapFont.width + 1) + gx) * fontScale + dx, textTop + gy * fontScale + dy, colour)
                            }
                        }
                    }
                }
            }
            if tile.correct == false {   // a red frame around a wrong prediction
                for x in (left - 2)..<(left + cellWidth + 2) { put(x, top - 2, colour); put(x, top + cellHeight + 1, colour) }
                for y in (top - 2)..<(top + cellHeight + 2) { put(left - 2, y, colour); put(left + cellWidth + 1, y, colour) }
            }
        }
        return PNGWriter.encode(width: canvasWidth, height: canvasHeight, channels: 3, bytes: canvas)
    }
}
