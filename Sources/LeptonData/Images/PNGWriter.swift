import Foundation
import LeptonFiles
import LeptonTensor

/// Writes 8-bit greyscale PNG images, and grids of images (for looking at generated samples).
public enum PNGWriter {
    /// Encodes a `[height, width]` tensor with values in [0, 1] (clipped) as a greyscale PNG.
    public static func encode(_ image: Tensor) -> Data {
        checkPrecondition(image.rank == 2, "PNGWriter: expected a [height, width] image, got \(image.shape)")
        let (h, w) = (image.shape[0], image.shape[1])
        let bytes = image.scalars.map { UInt8((min(max($0, 0), 1) * 255).rounded()) }
        return encode(width: w, height: h, channels: 1, bytes: bytes)
    }

    /// Encodes 8-bit grey (`channels` 1) or RGB (3) bytes, row-major, channels last.
    public static func encode(width w: Int, height h: Int, channels: Int, bytes: [UInt8]) -> Data {
        checkPrecondition((channels == 1 || channels == 3) && bytes.count == w * h * channels,
                          "PNGWriter: expected \(w)×\(h)×1 or ×3 bytes, got \(bytes.count) for \(channels) channels")
        var raw = Data(capacity: h * (w * channels + 1))
        for y in 0..<h {
            raw.append(0)  // filter: none
            raw.append(contentsOf: bytes[(y * w * channels)..<((y + 1) * w * channels)])
        }
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var header = Data()
        header.append(bigEndian: UInt32(w))
        header.append(bigEndian: UInt32(h))
        header.append(contentsOf: [8, channels == 1 ? 0 : 2, 0, 0, 0])  // 8-bit, grey or RGB, deflate, no filter, no interlace
        appendChunk("IHDR", header, to: &png)
        appendChunk("IDAT", Gzip.zlibCompress(raw), to: &png)
        appendChunk("IEND", Data(), to: &png)
        return png
    }

    /// Tiles `[count, height, width]` images into a grid with `columns` columns and a 2-pixel border.
    public static func grid(_ images: Tensor, columns: Int) -> Tensor {
        checkPrecondition(images.rank == 3, "PNGWriter.grid: expected [count, height, width], got \(images.shape)")
        let (n, h, w) = (images.shape[0], images.shape[1], images.shape[2])
        let rows = (n + columns - 1) / columns, border = 2
        let gh = rows * (h + border) + border, gw = columns * (w + border) + border
        var out = [Float](repeating: 0, count: gh * gw)
        let values = images.scalars
        for i in 0..<n {
            let oy = border + (i / columns) * (h + border), ox = border + (i % columns) * (w + border)
            for y in 0..<h { for x in 0..<w { out[(oy + y) * gw + ox + x] = values[(i * h + y) * w + x] } }
        }
        return Tensor(out, shape: [gh, gw])
    }

    /// Writes `image` to `url` atomically.
    /// - Throws: ``LeptonFiles/OutputPathError`` when a device, a FIFO, a link or a folder stands at
    ///   `url` (only a regular file is replaced), or the error of the write.
    public static func write(_ image: Tensor, to url: URL) throws {
        try OutputPath.checkFile(url, overwrite: true)
        try encode(image).write(to: url, options: .atomic)
    }

    private static func appendChunk(_ type: String, _ body: Data, to png: inout Data) {
        png.append(bigEndian: UInt32(body.count))
        var typed = Data(type.utf8)
        typed.append(body)
        png.append(typed)
        png.append(bigEndian: Gzip.crc32(typed))
    }
}

extension Data {
    mutating func append(bigEndian value: UInt32) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }
}
