import Foundation
import LeptonData
import LeptonFiles

/// An RGB drawing surface of `width × height` pixels, row-major, written as a PNG by the
/// project's own encoder. Drawing outside the surface is clipped, never an error.
public struct Canvas: Sendable {
    public let width: Int
    public let height: Int
    /// `height × width × 3` bytes.
    public private(set) var pixels: [UInt8]

    /// The largest canvas made (width × height), so a size read from a flag cannot exhaust memory.
    public static let maximumPixels = 1 << 26

    /// A canvas filled with `background`.
    /// - Throws: ``PlotError`` when a side is not positive or the area exceeds ``maximumPixels``.
    public init(width: Int, height: Int, background: RGB = .white) throws {
        guard width > 0, height > 0, width <= Self.maximumPixels / height else {
            throw PlotError("canvas \(width)×\(height): expected positive sides and at most \(Self.maximumPixels) pixels")
        }
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) {
            (pixels[3 * i], pixels[3 * i + 1], pixels[3 * i + 2]) = (background.r, background.g, background.b)
        }
    }

    /// The colour at (`x`, `y`); nil outside the canvas.
    public func pixel(x: Int, y: Int) -> RGB? {
        guard x >= 0, y >= 0, x < width, y < height else { return nil }
        let i = 3 * (y * width + x)
        return RGB(pixels[i], pixels[i + 1], pixels[i + 2])
    }

    /// Paints (`x`, `y`) with `color` at opacity `alpha` (1: opaque); clipped outside the canvas.
    public mutating func blend(x: Int, y: Int, _ color: RGB, alpha: Double = 1) {
        guard alpha > 0, let old = pixel(x: x, y: y) else { return }
        let new = alpha >= 1 ? color : old.mixed(with: color, alpha: alpha)
        let i = 3 * (y * width + x)
        (pixels[i], pixels[i + 1], pixels[i + 2]) = (new.r, new.g, new.b)
    }

    /// Fills the rectangle with corner (`x`, `y`) and the given size (clipped).
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ color: RGB, alpha: Double = 1) {
        let x0 = max(x, 0), y0 = max(y, 0), x1 = min(x + w, width), y1 = min(y + h, height)
        guard x0 < x1, y0 < y1 else { return }
        for yy in y0..<y1 { for xx in x0..<x1 { blend(x: xx, y: yy, color, alpha: alpha) } }
    }

    /// The canvas as an RGB PNG.
    public func png() -> Data {
        PNGWriter.encode(width: width, height: height, channels: 3, bytes: pixels)
    }

    /// Writes the PNG to `url` atomically.
    /// - Throws: ``LeptonFiles/OutputPathError`` when a device, a FIFO, a link or a folder stands
    ///   at `url` (only a regular file is replaced); ``PlotError`` naming the path when the write fails.
    public func write(to url: URL) throws {
        try OutputPath.checkFile(url, overwrite: true)
        do {
            try png().write(to: url, options: .atomic)
        } catch {
            throw PlotError("\(url.path): cannot be written (\(error.localizedDescription)); expected a path in an existing, writable folder")
        }
    }
}

/// A plot that cannot be drawn as asked: a bad size, no data, mismatched lengths.
public struct PlotError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
