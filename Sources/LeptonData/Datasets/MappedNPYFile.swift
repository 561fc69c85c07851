#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An `.npy` file mapped read-only into memory (`mmap`, `MAP_PRIVATE`), whose rows — slices
/// along the first axis — are copied out on demand; the mapping and the open file go with the
/// object.
///
/// Mapped pages a process has touched count in its resident set until they are unmapped or
/// dropped, so reading a file larger than memory would otherwise grow the resident set to the
/// file's size. One page fault maps at most one 2 MiB-aligned region (a huge page, or the
/// fault-around window inside one), so the regions touched since the last drop bound what is
/// resident: before a row would take them past `residentBudget`, every mapped page is dropped
/// (`MADV_DONTNEED`; the pages stay in the page cache and are mapped again from it when next read).
///
/// Runs of consecutive rows (an unshuffled loader) and files within the budget are copied from
/// the mapping. Scattered rows of a larger file (a shuffled batch) are read with `pread` from the
/// same file instead: each fault there maps a whole large folio of the page cache (about 1.2 MB,
/// on Linux 6.18) that the next drop unmaps again, 7 µs a row against 1.4 µs for `pread`
/// (docs/BENCHMARKS.md, "NPY dataset larger than memory").
///
/// Copying from several threads at once is safe: the mapping is never written, `pread` keeps no
/// file position, and the regions are counted under a lock. The file must not be truncated while
/// mapped (reading a mapped page past a truncated end stops the process with `SIGBUS`).
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
    /// The open file, for rows read one by one (scattered rows).
    private let descriptor: Int32
    private let lock = NSLock()
    /// The 2 MiB regions rows were copied from since the last drop.
    private var touched = Set<Int>()
    /// The most one page fault maps: a PMD-mapped huge page (fault-around stays inside one too).
    static let region = 2 << 20

    /// Maps `url` and checks its header.
    /// - Throws: ``DataError`` when the file is missing, not a regular file, cannot be mapped, has a
    ///   malformed or lying header (see ``NPYHeader/parse(_:fileSize:source:)``) or holds a
    ///   0-dimensional array (which has no rows).
    init(url: URL, residentBudget: Int = 128 << 20) throws {
        source = url.lastPathComponent
        self.residentBudget = residentBudget
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DataError("cannot open the file: \(String(cString: strerror(errno)))", source: url.path) }
        descriptor = fd
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & mode_t(S_IFMT)) == mode_t(S_IFREG) else {
            close(fd)
            throw DataError("not a regular file (expected an .npy file)", source: url.path)
        }
        length = Int(info.st_size)
        guard length > 0 else {
            close(fd)
            throw DataError("the file is empty (expected an .npy file)", source: url.path)
        }
        guard let mapping = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), mapping != UnsafeMutableRawPointer(bitPattern: -1) else {
            close(fd)
            throw DataError("cannot map the file: \(String(cString: strerror(errno)))", source: url.path)
        }
        base = mapping
        do {
            header = try NPYHeader.parse(UnsafeRawBufferPointer(start: mapping, count: length), fileSize: length,
                                         source: url.lastPathComponent)
        } catch {
            munmap(mapping, length)
            close(fd)
            throw error
        }
        guard let rows = header.shape.first else {
            munmap(mapping, length)
            close(fd)
            throw DataError("holds a 0-dimensional array; expected samples along the first axis", source: url.lastPathComponent)
        }
        rowCount = rows
        rowElements = rows == 0 ? 0 : header.count / rows
        rowBytes = rowElements * header.elementType.size
    }

    deinit {
        munmap(base, length)
        close(descriptor)
    }

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
        } else if header.dataSize > residentBudget {
            return try readRows(indices, into: destination, features: features)
        }
        for (k, row) in indices.enumerated() {
            let offset = header.dataOffset + row * rowBytes
            reserve(offset..<(offset + rowBytes))
            try NPYConversion.convert(UnsafeRawBufferPointer(start: base + offset, count: rowBytes), type, count: rowElements,
                                      into: destination + k * outRowBytes, features: features,
                                      firstIndex: row * rowElements, source: source)
        }
    }

    /// Reads scattered rows with `pread`, one row a call.
    private func readRows(_ indices: [Int], into destination: UnsafeMutableRawPointer, features: Bool) throws {
        let type = header.elementType
        let outRowBytes = rowElements * NPYConversion.tensorType(of: type, features: features).byteSize
        let scratch = outRowBytes == rowBytes ? nil : UnsafeMutableRawPointer.allocate(byteCount: max(rowBytes, 1), alignment: 16)
        defer { scratch?.deallocate() }
        for (k, row) in indices.enumerated() {
            let target = scratch ?? destination + k * outRowBytes
            var done = 0
            while done < rowBytes {
                let n = pread(descriptor, target + done, rowBytes - done, off_t(header.dataOffset + row * rowBytes + done))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    throw DataError("cannot read row \(row): \(n < 0 ? String(cString: strerror(errno)) : "the file ends early")", source: source)
                }
                done += n
            }
            if let scratch {
                try NPYConversion.convert(UnsafeRawBufferPointer(start: scratch, count: rowBytes), type, count: rowElements,
                                          into: destination + k * outRowBytes, features: features,
                                          firstIndex: row * rowElements, source: source)
            }
        }
    }

    /// Counts the 2 MiB-aligned regions (of addresses) holding the file's `bytes` as resident,
    /// first dropping every mapped page when they would take the count past the budget.
    private func reserve(_ bytes: Range<Int>) {
        guard !bytes.isEmpty else { return }
        let start = Int(bitPattern: base) + bytes.lowerBound, end = Int(bitPattern: base) + bytes.upperBound
        let regions = (start / Self.region)...((end - 1) / Self.region)
        lock.lock()
        defer { lock.unlock() }
        let added = regions.filter { !touched.contains($0) }.count
        if !touched.isEmpty, (touched.count + added) * Self.region > residentBudget {
            madvise(base, length, MADV_DONTNEED)
            touched.removeAll(keepingCapacity: true)
        }
        touched.formUnion(regions)
    }
}
