import Foundation
import LeptonTensor

/// Images in class folders, `<root>/<class>/*.png|*.jpg|*.jpeg` (`torchvision.datasets.ImageFolder`):
/// class names sorted as torchvision sorts them, labels their indices. Each sample is the image as
/// float32 `[height, width, channels]` holding its pixel values 0–255 (scaling belongs to the
/// model) and its `int32` label. Images are decoded when a batch asks for them, so a folder
/// larger than memory streams through a ``DataLoader``.
///
/// ```swift
/// let faces = try ImageFolder(root: URL(fileURLWithPath: "../shared/datasets/faces"))
/// faces.classNames                  // ["face", "nonface"]
/// let loader = DataLoader(faces, batchSize: 32, shuffle: true, seed: 1)
/// ```
public final class ImageFolder: Dataset, @unchecked Sendable {
    /// Image file extensions read (lower case).
    public static let extensions: Set<String> = ["png", "jpg", "jpeg"]

    public let root: URL
    /// The class folders' names, sorted; a label is an index into this list.
    public let classNames: [String]
    /// Every image file and its label, by class then by file name.
    public let files: [(url: URL, label: Int)]
    public let mode: ImageDecoder.ColorMode
    /// `[height, width]` every image is resized to (bilinear), or the size all images share.
    public let imageSize: [Int]
    /// Files left out because they could not be decoded (with `skipCorrupt`), with the reason.
    public let skipped: [(path: String, reason: String)]

    /// Lists the folder and reads every image's header (not its pixels).
    /// - Parameters:
    ///   - mode: decode to grey (1 channel) or RGB (3 channels).
    ///   - imageSize: `[height, width]` to resize every image to; nil: all images must have the
    ///     size of the first.
    ///   - skipCorrupt: leave out (and list in ``skipped``) images whose header cannot be read,
    ///     instead of throwing.
    /// - Throws: ``DataError`` for a missing root, a root without class folders or images, a
    ///   corrupt image (naming the file, unless `skipCorrupt`), images of different sizes
    ///   without `imageSize`, or a bad `imageSize`.
    public init(root: URL, mode: ImageDecoder.ColorMode = .grayscale, imageSize: [Int]? = nil, skipCorrupt: Bool = false) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DataError("not found or not a folder (expected <root>/<class>/<image>.png|jpg)", source: root.path)
        }
        if let imageSize {
            guard imageSize.count == 2, imageSize.allSatisfy({ $0 >= 1 && $0 <= 1 << 13 }) else {
                throw DataError("image_size \(imageSize): expected [height, width], each in 1...\(1 << 13)", source: root.path)
            }
        }
        let classes = try fm.contentsOfDirectory(atPath: root.path).filter { name in
            var dir: ObjCBool = false
            return !name.hasPrefix(".") && fm.fileExists(atPath: root.appendingPathComponent(name).path, isDirectory: &dir) && dir.boolValue
        }.sorted()
        guard !classes.isEmpty else { throw DataError("holds no class folders (expected <root>/<class>/<image>.png|jpg)", source: root.path) }
        var files: [(URL, Int)] = [], skipped: [(String, String)] = []
        var size = imageSize
        for (label, name) in classes.enumerated() {
            let folder = root.appendingPathComponent(name)
            let images = try fm.contentsOfDirectory(atPath: folder.path)
                .filter { Self.extensions.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
            for image in images {
                let url = folder.appendingPathComponent(image)
                do {
                    let header = try ImageDecoder.readSize(url)
                    if let size, imageSize == nil, size != [header.height, header.width] {
                        throw DataError("image is \(header.height)×\(header.width), the folder's first is \(size[0])×\(size[1]); "
                                        + "give image_size to resize them all", source: url.path)
                    }
                    if size == nil { size = [header.height, header.width] }
                    files.append((url, label))
                } catch let error as DataError where skipCorrupt && !error.description.contains("give image_size") {
                    skipped.append((url.path, error.description))
                }
            }
        }
        guard let size, !files.isEmpty else {
            throw DataError("holds no readable .png/.jpg/.jpeg images in its class folders \(classes)", source: root.path)
        }
        self.root = root
        self.classNames = classes
        self.files = files
        self.mode = mode
        self.imageSize = size
        self.skipped = skipped
    }

    public var count: Int { files.count }

    /// The shape of one image sample: `[height, width, channels]`.
    public var sampleShape: [Int] { imageSize + [mode.channels] }

    public func sample(at index: Int) throws -> [Tensor] {
        [try image(at: index), Tensor(int32: [Int32(files[index].label)], shape: [])]
    }

    public func batch(_ indices: [Int]) throws -> [Tensor] {
        var values: [Float] = []
        values.reserveCapacity(indices.count * sampleShape.reduce(1, *))
        for i in indices { values += try pixels(at: i).map(Float.init) }
        return [Tensor(values, shape: [indices.count] + sampleShape),
                Tensor(int32: indices.map { Int32(files[$0].label) }, shape: [indices.count])]
    }

    /// Image `index` as float32 `[height, width, channels]`, pixel values 0–255.
    public func image(at index: Int) throws -> Tensor {
        Tensor(try pixels(at: index).map(Float.init), shape: sampleShape)
    }

    /// Every image and label in memory: `[count, height, width, channels]` and `[count]`.
    public func loadAll() throws -> (images: Tensor, labels: Tensor) {
        let all = try batch(Array(0..<count))
        return (all[0], all[1])
    }

    /// The bytes of image `index`, decoded and resized to ``imageSize``.
    func pixels(at index: Int) throws -> [UInt8] {
        let decoded = try ImageDecoder.read(files[index].url, mode: mode)
        if decoded.height == imageSize[0] && decoded.width == imageSize[1] { return decoded.pixels }
        return ImageDecoder.resized(decoded, height: imageSize[0], width: imageSize[1])
    }
}

extension ImageDecoder {
    /// The image's bytes resampled to `height × width` bilinearly, with half-pixel centres (PIL's
    /// and `torchvision.transforms.Resize`'s geometry for upsampling; downsampling does not antialias).
    public static func resized(_ image: DecodedImage, height: Int, width: Int) -> [UInt8] {
        let c = image.channels
        var out = [UInt8](repeating: 0, count: height * width * c)
        let sy = Double(image.height) / Double(height), sx = Double(image.width) / Double(width)
        for y in 0..<height {
            let fy = max(0, (Double(y) + 0.5) * sy - 0.5)
            let y0 = min(Int(fy), image.height - 1), y1 = min(y0 + 1, image.height - 1), wy = fy - Double(y0)
            for x in 0..<width {
                let fx = max(0, (Double(x) + 0.5) * sx - 0.5)
                let x0 = min(Int(fx), image.width - 1), x1 = min(x0 + 1, image.width - 1), wx = fx - Double(x0)
                for k in 0..<c {
                    func p(_ yy: Int, _ xx: Int) -> Double { Double(image.pixels[(yy * image.width + xx) * c + k]) }
                    let top = p(y0, x0) * (1 - wx) + p(y0, x1) * wx, bottom = p(y1, x0) * (1 - wx) + p(y1, x1) * wx
                    out[(y * width + x) * c + k] = UInt8(max(0, min(255, (top * (1 - wy) + bottom * wy).rounded())))
                }
            }
        }
        return out
    }
}
