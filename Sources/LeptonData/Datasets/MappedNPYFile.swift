#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An `.npy` file mapped read-only into memory (`mmap`, `MAP_PRIVATE`), whose rows — slices
/// along the first axis — are copied out on demand; the mapping goes with the object.
///
/// Mapped pages a process has touched count in its resident set until they are unmapped or
/// dropped, so reading a file larger than memory would otherwise grow the resident set to the
/// file's size. The pages are dropped (`MADV_DONTNEED`; they stay in the page cache and are
/// mapped again from it when next read) whenever the rows copied since the last drop may have
/// made `residentBudget` bytes resident. Copying from several threads at once is safe: the
/// mapping is never written, and the budget's count is kept under a lock.
///
/// The file must not be truncated while mapped (reading a page past a truncated end stops the
/// process with `SIGBUS`, as with any memory-mapped file).
final class MappedNPYFile: @unchecked Sendable {
    /// The file's header, checked against its size.
    let header: NPYHeader
    /// The file's name, for messages.
    let source: String
    /// Rows (the first dimension).
    let rowCount: Int
    /// Elements per row.
    let rowElements: Int
    /// Bytes per row in the file.
    let rowBytes: Int
    /// Resident bytes the copied rows may add before the mapping's pages are dropped.
    let residentBudget: Int

    private let base: UnsafeMutableRawPointer
    private let length: Int
    private let lock = NSLock()
    /// The bytes the rows copied since the last drop may have made resident.
    private var touched = 0
    /// Pages the kernel maps around a faulting one when they are in the page cache
    /// (`fault_around_bytes`, 64 KiB by default): a row read at random may make this much resident.
    static let faultAround = 64 << 10

    /// Maps `url` and checks its header.
    /// - Throws: ``DataError`` when the file is missing, not a regular file, cannot be mapped, has a
    ///   malformed or lying header (see ``NPYHeader/parse(_:fileSize:source:)``) or holds a
    ///   0-dimensional array (which has no rows).
    init(url: URL, residentBudget: Int = 256 << 20) throws {
        source = url.lastPathComponent
        self.residentBudget = residentBudget
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DataError("cannot open the file: \(String(cString: strerror(errno)))", source: url.path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & mode_t(S_IFMT)) == mode_t(S_IFREG) else {
            throw DataError("not a regular file (expected an .npy file)", source: url.path)
        }
        length = Int(info.st_size)
        guard length > 0 else { throw DataError("the file is empty (expected an .npy file)", source: url.path) }
        guard let mapping = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), mapping != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw DataError("cannot map the file: \(String(cString: strerror(errno)))", source: url.path)
        }
        base = mapping
        do {
            header = try NPYHeader.parse(UnsafeRawBufferPointer(start: mapping, count: length), fileSize: length,
                                         source: url.lastPathComponent)
        } catch {
            munmap(mapping, length)
            throw error
        }
        guard let rows = header.shape.first else {
            munmap(mapping, length)
            throw DataError("holds a 0-dimensional array; expected samples along the first axis", source: url.lastPathComponent)
        }
        rowCount = rows
        rowElements = rows == 0 ? 0 : header.count / rows
        rowBytes = rowElements * header.elementType.size
    }

    deinit { munmap(base, length) }

    /// Shape of one row.
    var rowShape: [Int] { Array(header.shape.dropFirst()) }

    /// Copies the rows at `indices`, in that order, into `destination` as elements of
    /// `NPYConversion.tensorType(of:features:)`.
    /// - Throws: ``DataError`` for an index outside `0..<rowCount` or an int64 outside the int32 range.
    func copyRows(_ indices: [Int], into destination: UnsafeMutableRawPointer, features: Bool) throws {
        let type = header.elementType
        let outRowBytes = rowElements * NPYConversion.tensorType(of: type, features: features).byteSize
        if let bad = indices.first(where: { $0 < 0 || $0 >= rowCount }) {
            throw DataError("row \(bad) is out of range 0..<\(rowCount)", source: source)
        }
        if let first = indices.first, indices.count > 1, indices.last == first + indices.count - 1,
           indices.indices.allSatisfy({ indices[$0] == first + $0 }) {
            // One run of rows: ask for all its pages at once rather than a fault at a time.
            let start = header.dataOffset + first * rowBytes
            let page = Int(getpagesize())
            let aligned = start / page * page
            madvise(base + aligned, start - aligned + indices.count * rowBytes, MADV_WILLNEED)
        }
        var span = 0, previous = -2
        for (k, row) in indices.enumerated() {
            let offset = header.dataOffset + row * rowBytes
            try NPYConversion.convert(UnsafeRawBufferPointer(start: base + offset, count: rowBytes), type, count: rowElements,
                                      into: destination + k * outRowBytes, features: features,
                                      firstIndex: row * rowElements, source: source)
            span += row == previous + 1 ? rowBytes : rowBytes + Self.faultAround
            previous = row
        }
        dropPagesIfOverBudget(adding: span)
    }

    /// Counts `bytes` more as possibly resident; past the budget, drops every mapped page.
    private func dropPagesIfOverBudget(adding bytes: Int) {
        lock.lock()
        defer { lock.unlock() }
        touched += bytes
        if touched > residentBudget {
            madvise(base, length, MADV_DONTNEED)
            touched = 0
        }
    }
}
