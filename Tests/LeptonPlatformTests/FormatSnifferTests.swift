import Foundation
import LeptonData
import LeptonPlatform
import Testing

@Suite("FormatSniffer")
struct FormatSnifferTests {
    /// Feeds `bytes` in small uneven pieces, as a network body arrives.
    static func sniff(_ bytes: [UInt8]) -> DatasetPreview {
        var sniffer = FormatSniffer()
        var start = 0, step = 3
        while start < bytes.count {
            let end = min(start + step, bytes.count)
            bytes[start..<end].withUnsafeBytes { sniffer.consume($0) }
            start = end
            step = step * 2 + 1
        }
        return sniffer.preview()
    }

    static func idx(type: UInt8, shape: [Int], body: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, type, UInt8(shape.count)]
        for n in shape { bytes += [UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] }
        return bytes + body
    }

    @Test("IDX images give their shape; IDX labels also their classes")
    func idx() {
        let images = Self.sniff(Self.idx(type: 0x08, shape: [3, 28, 28], body: [UInt8](repeating: 7, count: 3 * 28 * 28)))
        #expect(images == DatasetPreview(format: .idx, shape: [3, 28, 28], elementType: "uint8"))
        let labels = Self.sniff(Self.idx(type: 0x08, shape: [6], body: [3, 1, 4, 1, 5, 9]))
        #expect(labels == DatasetPreview(format: .idx, shape: [6], elementType: "uint8", classes: [1, 3, 4, 5, 9]))
        // A header whose shape disagrees with the length is not taken for IDX.
        #expect(Self.sniff(Self.idx(type: 0x08, shape: [10], body: [1, 2, 3])).format == .binary)
    }

    @Test("NPY gives its shape and dtype")
    func npy() throws {
        let header = try NPYHeader(elementType: .float32, shape: [4, 5])
        let preview = Self.sniff(Array(header.encoded()) + [UInt8](repeating: 0, count: 80))
        #expect(preview == DatasetPreview(format: .npy, shape: [4, 5], elementType: header.elementType.rawValue))
    }

    @Test("CSV gives columns, data rows and the first lines")
    func csv() {
        let text = "user,item,rating\n1,10,4.5\n1,11,3\n2,10,5\n"
        let preview = Self.sniff(Array(text.utf8))
        #expect(preview.format == .csv && preview.columns == ["user", "item", "rating"] && preview.rows == 3)
        #expect(preview.sample == ["user,item,rating", "1,10,4.5", "1,11,3", "2,10,5"])
        #expect(Self.sniff(Array("a,b\n1,2".utf8)).rows == 1)  // no final newline
    }

    @Test("other content is binary or gzip")
    func other() {
        #expect(Self.sniff([0x1F, 0x8B, 8, 0, 1, 2]).format == .gzip)
        #expect(Self.sniff([0, 1, 2, 200, 0, 7]).format == .binary)
        #expect(Self.sniff(Array("just words\n".utf8)).format == .binary)
        #expect(Self.sniff([]).format == .binary)
    }

    static func gzip(_ bytes: [UInt8]) -> [UInt8] { [UInt8](Gzip.compress(Data(bytes), format: .gzip)) }

    @Test("gzip files are looked into: IDX shape from the first bytes, label classes and CSV rows when the whole stream is seen")
    func insideGzip() {
        // Seeded noise that does not compress: the stream is longer than the sniffer's head.
        var state: UInt64 = 7
        let noise = (0..<(400 * 28 * 28)).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        let images = Self.gzip(Self.idx(type: 0x08, shape: [400, 28, 28], body: noise))
        #expect(images.count > 64 << 10)
        #expect(Self.sniff(images) == DatasetPreview(format: .gzip, contents: .idx, shape: [400, 28, 28], elementType: "uint8"))
        let labels = Self.gzip(Self.idx(type: 0x08, shape: [6], body: [3, 1, 4, 1, 5, 9]))
        #expect(Self.sniff(labels) == DatasetPreview(format: .gzip, contents: .idx, shape: [6], elementType: "uint8", classes: [1, 3, 4, 5, 9]))
        let csv = Self.sniff(Self.gzip(Array("x,y\n1,2\n3,4\n".utf8)))
        #expect(csv.format == .gzip && csv.contents == .csv && csv.columns == ["x", "y"] && csv.rows == 2)
        // A header that lies about the size, and noise: a gzip file of unknown contents.
        #expect(Self.sniff(Self.gzip(Self.idx(type: 0x08, shape: [5], body: [1, 2]))) == DatasetPreview(format: .gzip))
        #expect(Self.sniff(Self.gzip(Array(noise.prefix(1000)))) == DatasetPreview(format: .gzip))
        #expect(Self.sniff(Array(images.prefix(100))) == DatasetPreview(format: .gzip), "a cut stream: no size to check against")
    }

    @Test("tab-separated ratings (MovieLens u.data) give their fields and rows; other tab-separated text does not")
    func ratings() {
        let data = Array("196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t377\t1\t878887116\n".utf8)
        #expect(Self.sniff(data) == DatasetPreview(format: .ratings, columns: ["user", "item", "rating", "timestamp"], rows: 3,
                                                   sample: ["196\t242\t3\t881250949", "186\t302\t3\t891717742", "22\t377\t1\t878887116"]))
        #expect(Self.sniff(Array("1\t2\t4.5\n3\t4\t1".utf8)).columns == ["user", "item", "rating"])
        #expect(Self.sniff(Array("1\t2\t4.5\nalice\tbob\t3\n".utf8)).format == .binary, "a name where an id belongs")
        #expect(Self.sniff(Array("1\t2\t3\t4\n5\t6\t7\n".utf8)).format == .binary, "lines of different widths")
        let gzipped = Self.sniff(Self.gzip(data))
        #expect(gzipped.format == .gzip && gzipped.contents == .ratings && gzipped.rows == 3)
    }
}
