import Foundation
import LeptonData

/// Recognises an upload's format while it streams past, keeping only its first bytes, a line
/// count, (for IDX label files) which byte values occur and (for tar archives) the walk of their
/// headers — never the whole file.
///
/// ```swift
/// var sniffer = FormatSniffer()
/// for chunk in chunks { sniffer.consume(chunk) }
/// let preview = sniffer.preview()   // .idx [60000, 28, 28] uint8, .npy, .csv with columns, …
/// ```
public struct FormatSniffer {
    /// How much of the start of a file is kept for recognition.
    static let headLimit = 64 << 10
    /// A sniffer that has seen nothing yet.
    public init() {}
    private(set) var head: [UInt8] = []
    private(set) var total = 0
    private var newlines = 0
    private var lastByte: UInt8?
    /// The last four bytes (a gzip stream's trailer ends with the uncompressed size).
    private var tail: [UInt8] = []
    private var headHasZero = false
    private var labelValues = [Bool](repeating: false, count: 256)
    private var tar = TarWalker()

    /// IDX element types by their type byte.
    static let idxTypes: [UInt8: (name: String, size: Int)] = [
        0x08: ("uint8", 1), 0x09: ("int8", 1), 0x0B: ("int16", 2), 0x0C: ("int32", 4), 0x0D: ("float32", 4), 0x0E: ("float64", 8),
    ]

    /// Takes the next bytes of the file. Lines are counted only while the file can still be text
    /// (no NUL byte in its head) and byte values only for IDX label files, so a large binary
    /// upload costs no per-byte work here.
    public mutating func consume(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        if head.count < Self.headLimit {
            let part = bytes.prefix(Self.headLimit - head.count)
            if part.contains(0) { headHasZero = true }
            head.append(contentsOf: part)
        }
        if !headHasZero {
            for byte in bytes where byte == 0x0A { newlines += 1 }
        }
        if isIDXLabels {
            for (i, byte) in bytes.enumerated() where total + i >= 8 { labelValues[Int(byte)] = true }
        }
        if tar.state == .undecided || tar.state == .walking { tar.consume(bytes) }
        total += bytes.count
        lastByte = bytes.last
        tail = Array((tail + bytes.suffix(4)).suffix(4))
    }

    /// A one-dimensional uint8 IDX file (a label file), known once its first 8 bytes are in.
    private var isIDXLabels: Bool {
        head.count >= 8 && head[0] == 0 && head[1] == 0 && head[2] == 0x08 && head[3] == 1
    }

    /// What the whole file was recognised as.
    public func preview() -> DatasetPreview {
        if let npy = npyPreview() { return npy }
        if let idx = idxPreview() { return idx }
        if tar.isTar {
            return DatasetPreview(format: .tar, files: tar.files, images: tar.images, imageClasses: tar.images > 0 ? tar.imagesPerClass : nil)
        }
        if let gzip = gzipPreview() { return gzip }
        return ratingsPreview() ?? csvPreview() ?? DatasetPreview(format: .binary)
    }

    /// A gzip file, and what its first inflated bytes are: the stream's trailer gives the
    /// uncompressed size (modulo 4 GiB) that an IDX header is checked against; label classes and
    /// CSV rows only when the whole stream fitted in the kept head.
    private func gzipPreview() -> DatasetPreview? {
        guard head.count >= 2, head[0] == 0x1F, head[1] == 0x8B else { return nil }
        let inflated = Gzip.decompressedPrefix(Data(head), upTo: Self.headLimit)
        guard !inflated.isEmpty, tail.count == 4 else { return DatasetPreview(format: .gzip) }
        let size = tail.reversed().reduce(0) { $0 << 8 | Int($1) }
        let whole = head.count == total && inflated.count == size
        var inner = FormatSniffer()
        inflated.withUnsafeBytes { inner.consume($0) }
        inner.total = size
        var preview = inner.preview()
        guard preview.format != .gzip, preview.format != .binary else { return DatasetPreview(format: .gzip) }
        if !whole { preview.classes = nil; preview.rows = nil; preview.files = nil; preview.images = nil; preview.imageClasses = nil }
        preview.contents = preview.format
        preview.format = .gzip
        return preview
    }

    private func npyPreview() -> DatasetPreview? {
        guard head.count >= 10, head[0] == 0x93 else { return nil }
        guard let header = head.withUnsafeBytes({ try? NPYHeader.parse($0, fileSize: total, source: "upload") }) else { return nil }
        return DatasetPreview(format: .npy, shape: header.shape, elementType: header.elementType.rawValue)
    }

    private func idxPreview() -> DatasetPreview? {
        guard head.count >= 4, head[0] == 0, head[1] == 0, let type = Self.idxTypes[head[2]], (1...4).contains(head[3]) else { return nil }
        let dimensions = Int(head[3])
        guard head.count >= 4 + 4 * dimensions else { return nil }
        let shape = (0..<dimensions).map { d in (0..<4).reduce(0) { $0 << 8 | Int(head[4 + 4 * d + $1]) } }
        var count = 1
        for n in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: n)
            guard !overflow else { return nil }
            count = product
        }
        guard 4 + 4 * dimensions + count * type.size == total else { return nil }
        let classes = isIDXLabels ? (0..<256).filter { labelValues[$0] } : nil
        return DatasetPreview(format: .idx, shape: shape, elementType: type.name, classes: classes)
    }

    /// The complete lines of the head when the file is text (nothing when it is not).
    private func textLines() -> [String] {
        guard !head.isEmpty, !head.contains(0) else { return [] }
        let complete = head.count == total ? head[...] : head[..<(head.lastIndex(of: 0x0A) ?? 0)]
        guard let text = String(validating: complete, as: UTF8.self) else { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .init(charactersIn: "\r")) }
    }

    /// The lines of the whole file (the last one need not end with a newline).
    private var lineCount: Int { newlines + (lastByte == 0x0A ? 0 : 1) }

    /// Ratings: every line of the head `user<TAB>item<TAB>rating[<TAB>timestamp]`, the ids whole
    /// numbers and the rating a number.
    private func ratingsPreview() -> DatasetPreview? {
        let lines = textLines()
        guard !lines.isEmpty else { return nil }
        var fieldCount: Int?
        for line in lines.prefix(1000) {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard (3...4).contains(fields.count), fieldCount == nil || fieldCount == fields.count,
                  Int(fields[0]) != nil, Int(fields[1]) != nil, Double(fields[2]) != nil, fields.count == 3 || Int(fields[3]) != nil else {
                return nil
            }
            fieldCount = fields.count
        }
        return DatasetPreview(format: .ratings, columns: Array(["user", "item", "rating", "timestamp"].prefix(fieldCount ?? 3)),
                              rows: lineCount, sample: Array(lines.prefix(5)))
    }

    private func csvPreview() -> DatasetPreview? {
        let lines = textLines()
        guard let first = lines.first, first.contains(",") else { return nil }
        return DatasetPreview(format: .csv, columns: first.split(separator: ",", omittingEmptySubsequences: false).map(String.init),
                              rows: max(0, lineCount - 1), sample: Array(lines.prefix(5)))
    }
}
