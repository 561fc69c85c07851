import Foundation
import LeptonData
import LeptonTensor

/// The data of the NPY benchmark: MNIST's 60,000 training images repeated `copies` times as
/// float32 `[60000·copies, 28, 28, 1]` in `x.npy` (17 copies: 3.2 GB), and their labels as int64
/// in `y.npy`. Copy 0 holds the images as they are; every other copy adds seeded noise of
/// −8…8 to each pixel (clamped to 0–255), so no two copies are alike. Written a slice at a
/// time: the writer never holds more than a few MB.
enum NPYBenchmarkData {
    static let features = "x.npy", labels = "y.npy"
    /// Images per MNIST copy and pixels per image.
    static let imagesPerCopy = 60_000, pixels = 784

    /// Bytes the two files take for `copies` copies.
    static func size(copies: Int) throws -> Int {
        let n = imagesPerCopy * copies
        let x = try NPYHeader(elementType: .float32, shape: [n, 28, 28, 1]), y = try NPYHeader(elementType: .int64, shape: [n])
        return x.dataOffset + x.dataSize + y.dataOffset + y.dataSize
    }

    /// Writes `x.npy` and `y.npy` into `folder` (which must exist).
    static func generate(into folder: URL, copies: Int) throws {
        let mnist = try MNIST(directory: MNIST.defaultDirectory())
        let images = mnist.trainImages.scalars, labels = mnist.trainLabels.int32Scalars
        guard labels.count == imagesPerCopy else { throw BenchError("expected \(imagesPerCopy) MNIST training images, found \(labels.count)") }
        let n = imagesPerCopy * copies
        let x = try writer(folder.appendingPathComponent(features), header: NPYHeader(elementType: .float32, shape: [n, 28, 28, 1]))
        defer { try? x.close() }
        let slice = 5_000 * pixels
        var buffer = [Float](repeating: 0, count: slice)
        for copy in 0..<copies {
            var generator = RandomGenerator(seed: 0x4E50_5942 &+ UInt64(copy))
            var noise: UInt64 = 0   // eight jitters a draw, one per byte
            for start in stride(from: 0, to: images.count, by: slice) {
                for i in 0..<slice {
                    if copy == 0 { buffer[i] = images[start + i]; continue }
                    if i % 8 == 0 { noise = generator.next() }
                    let jitter = Float(Int(noise >> UInt64(8 * (i % 8)) & 0xFF) % 17 - 8)
                    buffer[i] = min(255, max(0, images[start + i] + jitter))
                }
                try buffer.withUnsafeBytes { try x.write(contentsOf: Data($0)) }
            }
        }
        let y = try writer(folder.appendingPathComponent(Self.labels), header: NPYHeader(elementType: .int64, shape: [n]))
        defer { try? y.close() }
        let column = labels.map(Int64.init)
        for _ in 0..<copies { try column.withUnsafeBytes { try y.write(contentsOf: Data($0)) } }
    }

    /// A new file at `url` holding `header`, open for appending the elements.
    private static func writer(_ url: URL, header: NPYHeader) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: url.path, contents: header.encoded()) else {
            throw BenchError("cannot create \(url.path)")
        }
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        return handle
    }
}
