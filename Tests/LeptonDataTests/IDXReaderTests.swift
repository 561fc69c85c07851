import Foundation
import Testing
import LeptonTensor
import LeptonData

@Suite struct IDXReaderTests {
    func header(_ dims: [Int]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 0x08, UInt8(dims.count)]
        for d in dims { bytes += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
        return bytes
    }

    @Test func parsesAValidFile() throws {
        let contents = try IDXReader.parse(Data(header([2, 2, 3]) + Array(0..<12)), source: "t")
        #expect(contents.shape == [2, 2, 3])
        #expect(contents.bytes == Array(0..<12))
    }

    @Test func rejectsMalformedFilesWithTheFileName() {
        let cases: [([UInt8], String)] = [
            ([0, 0], "too short"),
            ([1, 2, 8, 1, 0, 0, 0, 1, 5], "bad magic number"),
            ([0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0], "element type 0x0D is not supported"),
            (header([4]) + [1, 2], "header declares shape [4] (4 elements) but the file holds 2 bytes"),
            ([0, 0, 8, 3, 0, 0], "ends inside its header"),
        ]
        for (bytes, expected) in cases {
            do {
                _ = try IDXReader.parse(Data(bytes), source: "bad.idx")
                Issue.record("expected an error containing '\(expected)'")
            } catch let error as DataError {
                #expect(error.description.hasPrefix("bad.idx: "))
                #expect(error.description.contains(expected), "\(error)")
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test func readsGzippedFilesAndRejectsTruncatedOnes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-idx-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let raw = dir.appendingPathComponent("labels.idx")
        try Data(header([5]) + [0, 1, 2, 9, 3]).write(to: raw)
        let gz = dir.appendingPathComponent("labels.idx.gz")
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "gzip -c '\(raw.path)' > '\(gz.path)'"]
        try gzip.run()
        gzip.waitUntilExit()
        let labels = try IDXReader.readLabels(gz)
        #expect(labels.int32Scalars == [0, 1, 2, 9, 3])
        #expect(throws: DataError.self) { try IDXReader.readLabels(gz, classes: 5) }
        let compressed = try Data(contentsOf: gz)
        let truncated = dir.appendingPathComponent("truncated.gz")
        try compressed.prefix(compressed.count - 12).write(to: truncated)
        #expect(throws: DataError.self) { try IDXReader.read(truncated) }
        #expect(throws: DataError.self) { try IDXReader.read(dir.appendingPathComponent("missing.gz")) }
    }

    /// Fuzzing found dimension sizes whose product overflowed `Int` (a trap, not an error).
    @Test func dimensionProductsThatOverflowOrPassTheMaximumAreRefused() {
        let overflow = dataError { _ = try IDXReader.parse(Data(header([0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF]) + [1]), source: "o.idx") }
        #expect(overflow?.message == "header declares shape [4294967295, 4294967295, 4294967295, 4294967295], whose element count overflows")
        let huge = dataError { _ = try IDXReader.parse(Data(header([65536, 65536]) + [1]), source: "h.idx") }
        #expect(huge?.message.contains("(4294967296 elements), more than the 2147483648 read") == true, "\(String(describing: huge))")
    }

    /// A file that inflates to far more than its compressed size (a "gzip bomb"): with a limit,
    /// only the header and the items asked for are inflated. The stream is cut after its first
    /// part, so inflating any further would fail: reading with a limit must not get there.
    @Test func aLimitInflatesOnlyTheItemsAskedFor() throws {
        let dir = try makeTemporaryDirectory("idx")
        defer { try? FileManager.default.removeItem(at: dir) }
        let images = 5000, pixels = Data(count: images * 28 * 28)   // 3.9 MB of zeros, ~4 KB compressed
        let packed = Gzip.compress(Data(header([images, 28, 28])) + pixels, format: .gzip)
        let bomb = dir.appendingPathComponent("bomb.gz"), cut = dir.appendingPathComponent("cut.gz")
        try packed.write(to: bomb)
        try packed.prefix(packed.count / 2).write(to: cut)
        let first = try IDXReader.readImages(bomb, limit: 3)
        #expect(first.shape == [3, 28, 28] && first.scalars.allSatisfy { $0 == 0 })
        #expect(try IDXReader.readImages(cut, limit: 2).shape == [2, 28, 28])
        #expect(try IDXReader.readImages(bomb).shape == [5000, 28, 28])
        let whole = dataError { _ = try IDXReader.readImages(cut) }
        #expect(whole?.message.contains("truncated") == true, "\(String(describing: whole))")
        // A limit beyond the items reads them all, and the whole file is checked.
        #expect(try IDXReader.readImages(bomb, limit: 10_000).shape == [5000, 28, 28])
        #expect(throws: DataError.self) { try IDXReader.readImages(cut, limit: 10_000) }
        // A plain file is checked against its size even with a limit.
        let plain = dir.appendingPathComponent("plain.idx")
        try (Data(header([4, 2])) + Data([1, 2, 3, 4, 5, 6, 7])).write(to: plain)
        #expect(dataError { _ = try IDXReader.read(plain, limit: 1) }?.message.contains("declares shape [4, 2] (8 elements) but the file holds 7 bytes") == true)
    }

    @Test func readsTheRealMNISTTestSet() throws {
        let dir = MNIST.defaultDirectory()
        let images = try IDXReader.readImages(dir.appendingPathComponent("t10k-images-idx3-ubyte.gz"))
        let labels = try IDXReader.readLabels(dir.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        #expect(images.shape == [10000, 28, 28])
        #expect(labels.shape == [10000])
        #expect(abs(images.mean().item() / 255 - 0.1325) < 0.001)   // the test set's known mean pixel (stored values 0–255)
        #expect(labels.int32Scalars.prefix(5) == [7, 2, 1, 0, 4])
        let firstFive = try IDXReader.readImages(dir.appendingPathComponent("t10k-images-idx3-ubyte.gz"), limit: 5)
        #expect(firstFive.shape == [5, 28, 28] && firstFive.scalars == Array(images.scalars.prefix(5 * 784)))
        #expect(try IDXReader.readLabels(dir.appendingPathComponent("t10k-labels-idx1-ubyte.gz"), limit: 5).int32Scalars == [7, 2, 1, 0, 4])
    }
}

@Suite struct PNGWriterTests {
    @Test func writesAValidGreyscalePNG() throws {
        let image = Tensor([0, 0.5, 1, 0.25, 0.75, 1], shape: [2, 3])
        let png = PNGWriter.encode(image)
        #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        #expect(png.count > 8 + 25 + 12)
        let grid = PNGWriter.grid(Tensor.ones([3, 4, 4]), columns: 2)
        #expect(grid.shape == [2 * 6 + 2, 2 * 6 + 2])
    }
}
