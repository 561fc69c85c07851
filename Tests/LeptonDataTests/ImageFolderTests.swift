import Foundation
import LeptonData
import LeptonTensor
import Testing

/// Image folders (`<root>/<class>/*.png|jpg`), decoded by libpng and libjpeg-turbo.
@Suite struct ImageFolderTests {
    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-images-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func readsTheRealFacesFolder() throws {
        let faces = try ImageFolder(root: DatasetLocation.directory(named: "faces"))
        #expect(faces.classNames == ["face", "nonface"])
        #expect(faces.count == 200 && faces.sampleShape == [25, 25, 1] && faces.skipped.isEmpty)
        let batch = try faces.batch([0, 150])
        #expect(batch[0].shape == [2, 25, 25, 1] && batch[1].int32Scalars == [0, 1])
        let values = batch[0].scalars
        #expect(values.allSatisfy { $0 >= 0 && $0 <= 255 && $0 == $0.rounded() } && values.max()! > 100)
        // A seeded stratified split: 80 of each class to training, 20 of each held out.
        let splits = try DatasetCatalog.imageFolder(root: faces.root, testFraction: 0.2, seed: 1)
        #expect(splits.trainX.shape == [160, 25, 25, 1] && splits.testX.shape == [40, 25, 25, 1])
        #expect(splits.testY.int32Scalars.filter { $0 == 0 }.count == 20 && splits.classNames == ["face", "nonface"])
    }

    @Test func pngAndJpegDecodeAsPillowDecodesThem() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Pillow writes an RGB JPEG and an RGB PNG and prints the pixels it decodes from them.
        let printed = try runPython("""
        import sys
        from PIL import Image
        img = Image.new("RGB", (7, 5))
        img.putdata([((x * 37) % 256, (y * 51) % 256, (x * y * 13) % 256) for y in range(5) for x in range(7)])
        img.save(sys.argv[1] + "/a.jpg", quality=90)
        img.save(sys.argv[1] + "/a.png")
        for name, mode in [("a.jpg", "RGB"), ("a.jpg", "L"), ("a.png", "RGB"), ("a.png", "L")]:
            print(" ".join(str(v) for p in Image.open(sys.argv[1] + "/" + name).convert(mode).getdata() for v in (p if isinstance(p, tuple) else (p,))))
        """, [dir.path])
        let expected = printed.split(separator: "\n").map { $0.split(separator: " ").map { Int($0)! } }
        let cases: [(String, ImageDecoder.ColorMode)] = [("a.jpg", .rgb), ("a.jpg", .grayscale), ("a.png", .rgb), ("a.png", .grayscale)]
        for ((name, mode), reference) in zip(cases, expected) {
            let image = try ImageDecoder.read(dir.appendingPathComponent(name), mode: mode)
            #expect(image.width == 7 && image.height == 5 && image.channels == mode.channels)
            let worst = zip(image.pixels, reference).map { abs(Int($0) - $1) }.max() ?? 999
            #expect(image.pixels.count == reference.count && worst == 0, "\(name) \(mode): \(worst)")
        }
    }

    @Test func corruptImagesNameTheFileOrAreSkippedWhenAsked() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let good = root.appendingPathComponent("cat"), bad = root.appendingPathComponent("dog")
        for folder in [good, bad] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        let png = PNGWriter.encode(Tensor([0, 0.5, 1, 0.25, 0.75, 1], shape: [2, 3]))
        try png.write(to: good.appendingPathComponent("1.png"))
        try png.prefix(20).write(to: bad.appendingPathComponent("truncated.png"))
        try Data("not an image".utf8).write(to: bad.appendingPathComponent("text.jpg"))
        try png.write(to: bad.appendingPathComponent("2.PNG"))
        let error = #expect(throws: DataError.self) { try ImageFolder(root: root) }
        #expect(error?.description.contains("dog/text.jpg") == true || error?.description.contains("dog/truncated.png") == true,
                "\(String(describing: error))")
        let lenient = try ImageFolder(root: root, skipCorrupt: true)
        #expect(lenient.count == 2 && lenient.skipped.count == 2 && lenient.classNames == ["cat", "dog"])
        #expect(try lenient.image(at: 0).scalars == [0, 128, 255, 64, 191, 255])
        // A file cut after its header passes the scan; reading its pixels is an error naming it, and
        // a DataLoader hands that error to the loop.
        try png.prefix(png.count - 20).write(to: bad.appendingPathComponent("cut.png"))
        let scanned = try ImageFolder(root: root, skipCorrupt: true)
        let loader = DataLoader(scanned, batchSize: 8)
        let batches = loader.batches(epoch: 0)
        #expect(batches.next() == nil)
        #expect(throws: DataError.self) { try batches.rethrowError() }
        #expect(throws: DataError.self) { try ImageFolder(root: root.appendingPathComponent("missing")) }
    }

    @Test func imagesOfDifferentSizesNeedAnImageSize() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("only")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try PNGWriter.encode(Tensor.ones([2, 3])).write(to: folder.appendingPathComponent("a.png"))
        try PNGWriter.encode(Tensor.zeros([4, 4])).write(to: folder.appendingPathComponent("b.png"))
        let error = #expect(throws: DataError.self) { try ImageFolder(root: root) }
        #expect(error?.description.contains("give image_size") == true)
        let resized = try ImageFolder(root: root, mode: .rgb, imageSize: [5, 6])
        let batch = try resized.batch([0, 1])
        #expect(batch[0].shape == [2, 5, 6, 3])
        #expect(batch[0].scalars.prefix(90).allSatisfy { $0 == 255 } && batch[0].scalars.suffix(90).allSatisfy { $0 == 0 })
        #expect(throws: DataError.self) { try ImageFolder(root: root, imageSize: [0, 5]) }
    }
}
