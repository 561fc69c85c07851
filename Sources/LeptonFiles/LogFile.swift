import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A text log (a CSV of epochs, a list of events) opened without destroying anything that is
/// not a log: the file is opened without following a symbolic link, must be a regular file
/// (never a device or a FIFO), and is either appended to or — when its first line shows it is
/// an earlier log of the same kind — started again.
public final class LogFile {
    /// How an existing file is treated.
    public enum Mode: Sendable {
        /// Lines go after what is there.
        case append
        /// An existing file is emptied first, but only when it is empty or its first line starts
        /// with `header` (an earlier log of this kind); anything else is refused.
        case replaceLog(header: String)
    }

    private let handle: FileHandle
    /// The path, for messages.
    public let path: String
    /// The first line the file held when it was opened (nil for a new or emptied file).
    public let existingHeader: String?

    /// Opens (creating when needed) the log at `url`.
    /// - Throws: ``OutputPathError`` naming the file and what stands there.
    public init(url: URL, mode: Mode) throws {
        path = url.path
        let found = FileKind(atPath: path)
        guard found == .missing || found == .regularFile else {
            throw OutputPathError("is \(found.phrase); a log is written only to a regular file", path: path)
        }
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw OutputPathError("cannot be opened for writing (\(String(cString: strerror(errno))))", path: path)
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            Glibc.close(fd)
            throw OutputPathError("is not a regular file; a log is written only to a regular file", path: path)
        }
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        let first = LogFile.firstLine(fd: fd, size: Int(info.st_size))
        switch mode {
        case .append:
            existingHeader = first
        case .replaceLog(let header):
            if let first, !first.hasPrefix(header) {
                try? handle.close()
                throw OutputPathError("holds something other than a log (its first line does not start with \"\(header)\"); "
                                      + "choose a new path or append to it", path: path)
            }
            guard ftruncate(fd, 0) == 0 else {
                let reason = String(cString: strerror(errno))
                try? handle.close()
                throw OutputPathError("cannot be emptied (\(reason))", path: path)
            }
            existingHeader = nil
        }
    }

    /// Appends `line` and a newline.
    /// - Throws: ``OutputPathError`` with the system's reason ("No space left on device").
    public func write(line: String) throws {
        do {
            try handle.write(contentsOf: Data((line + "\n").utf8))
        } catch {
            throw OutputPathError("cannot be written (\(error.localizedDescription))", path: path)
        }
    }

    /// Closes the file.
    public func close() {
        try? handle.close()
    }

    /// The first line of a file (up to 64 KB read), nil for an empty one.
    private static func firstLine(fd: Int32, size: Int) -> String? {
        guard size > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: min(size, 65_536))
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self)
        return text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
    }
}
