import CPNG
import CTurboJPEG
import Foundation
import LeptonFiles

/// A decoded image: `height × width × channels` bytes, row-major, channels last.
public struct DecodedImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// 1 (grey) or 3 (RGB).
    public let channels: Int
    public let pixels: [UInt8]
}

/// Decodes PNG (libpng's simplified API) and JPEG (libjpeg-turbo's TurboJPEG API) images into
/// grey or RGB bytes. The header is read and its size checked against ``maximumPixels`` before
/// any pixel memory is allocated; a corrupt or truncated file is a ``DataError`` naming it.
public enum ImageDecoder {
    /// The largest image decoded (width × height), 64 megapixels by default.
    nonisolated(unsafe) public static var maximumPixels = 1 << 26

    /// Colour of the decoded bytes.
    public enum ColorMode: String, Sendable, CaseIterable {
        case grayscale, rgb
        public var channels: Int { self == .grayscale ? 1 : 3 }
    }

    /// Decodes `data` (PNG or JPEG, told apart by their signatures).
    /// - Throws: ``DataError`` naming `source` for another format, a corrupt or truncated file,
    ///   or an image larger than ``maximumPixels``.
    public static func decode(_ data: Data, mode: ColorMode, source: String) throws -> DecodedImage {
        let (width, height, rgb) = try read(data, pixels: true, source: source)
        return DecodedImage(width: width, height: height, channels: mode.channels, pixels: mode == .grayscale ? grey(rgb) : rgb)
    }

    /// Reads and decodes the image file at `url`.
    public static func read(_ url: URL, mode: ColorMode) throws -> DecodedImage {
        try decode(try contents(of: url), mode: mode, source: url.path)
    }

    /// The width and height of the image file at `url`, from its header alone (no pixel is decoded).
    /// - Throws: ``DataError`` naming the file for another format, a corrupt header or a size over the limit.
    public static func readSize(_ url: URL) throws -> (width: Int, height: Int) {
        let (width, height, _) = try read(try contents(of: url), pixels: false, source: url.path)
        return (width, height)
    }

    static func contents(of url: URL) throws -> Data {
        do { return try FileContents.read(url) } catch {
            throw DataError("cannot be read (\(error.localizedDescription))", source: url.path)
        }
    }

    /// The size and, when `pixels`, the RGB bytes of a PNG or JPEG (the header is checked first).
    static func read(_ data: Data, pixels: Bool, source: String) throws -> (Int, Int, [UInt8]) {
        let bytes = [UInt8](data.prefix(8))
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return try readPNG(data, pixels: pixels, source: source) }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return try readJPEG(data, pixels: pixels, source: source) }
        throw DataError("not a PNG or JPEG image (unknown signature)", source: source)
    }

    static func checkSize(width: Int, height: Int, source: String) throws {
        guard width > 0, height > 0 else { throw DataError("image has no pixels (\(width)×\(height))", source: source) }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= maximumPixels else {
            throw DataError("image of \(width)×\(height) pixels is larger than the limit of \(maximumPixels) pixels", source: source)
        }
    }

    static func readPNG(_ data: Data, pixels readPixels: Bool, source: String) throws -> (Int, Int, [UInt8]) {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        func failure(_ what: String) -> DataError {
            let message = withUnsafeBytes(of: image.message) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            return DataError("corrupt PNG: \(what)\(message.isEmpty ? "" : " (\(message))")", source: source)
        }
        let began = data.withUnsafeBytes { raw in
            png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count)
        }
        guard began != 0 else { throw failure("cannot read its header") }
        try checkSize(width: Int(image.width), height: Int(image.height), source: source)
        guard readPixels else { return (Int(image.width), Int(image.height), []) }
        // Decoded as RGB and turned grey here (libpng's own conversion works in linear light and
        // gives other values than PIL and torchvision).
        image.format = UInt32(PNG_FORMAT_RGB)
        let (width, height) = (Int(image.width), Int(image.height))
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let finished = data.withUnsafeBytes { _ in
            pixels.withUnsafeMutableBytes { out in
                png_image_finish_read(&image, nil, out.baseAddress, 0, nil)
            }
        }
        guard finished != 0 else { throw failure("cannot decode its pixels") }
        return (width, height, pixels)
    }

    static func readJPEG(_ data: Data, pixels readPixels: Bool, source: String) throws -> (Int, Int, [UInt8]) {
        guard let handle = tjInitDecompress() else { throw DataError("cannot start the JPEG decoder", source: source) }
        defer { tjDestroy(handle) }
        func failure(_ what: String) -> DataError {
            DataError("corrupt JPEG: \(what) (\(String(cString: tjGetErrorStr2(handle))))", source: source)
        }
        guard data.count <= Int(UInt32.max) else { throw DataError("JPEG file larger than 4 GB", source: source) }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let header = data.withUnsafeBytes { raw in
            tjDecompressHeader3(handle, raw.bindMemory(to: UInt8.self).baseAddress, UInt(raw.count), &width, &height, &subsampling, &colorspace)
        }
        guard header == 0 else { throw failure("cannot read its header") }
        try checkSize(width: Int(width), height: Int(height), source: source)
        guard readPixels else { return (Int(width), Int(height), []) }
        var pixels = [UInt8](repeating: 0, count: Int(width) * Int(height) * 3)
        let format = TJPF_RGB
        let status = data.withUnsafeBytes { raw in
            pixels.withUnsafeMutableBytes { out in
                tjDecompress2(handle, raw.bindMemory(to: UInt8.self).baseAddress, UInt(raw.count),
                              out.bindMemory(to: UInt8.self).baseAddress, width, 0, height, Int32(format.rawValue), 0)
            }
        }
        // TurboJPEG reports a truncated file as a warning after filling the rest with grey: refuse it too.
        guard status == 0 else { throw failure("cannot decode its pixels") }
        return (Int(width), Int(height), pixels)
    }

    /// RGB bytes to grey with ITU-R 601 weights in PIL's fixed-point arithmetic (`Image.convert("L")`,
    /// torchvision's `Grayscale`), so a grey image stays exactly what it was.
    static func grey(_ rgb: [UInt8]) -> [UInt8] {
        (0..<(rgb.count / 3)).map { i in
            let (r, g, b) = (UInt32(rgb[3 * i]), UInt32(rgb[3 * i + 1]), UInt32(rgb[3 * i + 2]))
            return UInt8((r * 19_595 + g * 38_470 + b * 7_471 + 0x8000) >> 16)
        }
    }
}
