import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes files with the system calls themselves, so that a failure names its cause ("File too
/// large", "No space left on device") and the data is on disk (fsync) before a checkpoint or
/// model folder is renamed into place.
public enum FileWriter {
    /// Writes `data` to `url`; `atomically` writes a temporary file beside it and renames it in.
    /// - Throws: ``IOError`` naming the file and the system's reason.
    public static func write(_ data: Data, to url: URL, atomically: Bool = false) throws {
        let target = url.path
        let path = atomically ? url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(UUID().uuidString)").path : target
        func failure(_ what: String) -> IOError {
            IOError("cannot be written (\(what): \(String(cString: strerror(errno))))", file: target)
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("open") }
        var closed = false
        defer {
            if !closed { close(fd) }
        }
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    let error = failure("write")
                    if atomically { unlink(path) }
                    throw error
                }
                offset += n
            }
        }
        guard fsync(fd) == 0 else {
            let error = failure("fsync")
            if atomically { unlink(path) }
            throw error
        }
        closed = true
        guard close(fd) == 0 else { throw failure("close") }
        if atomically && rename(path, target) != 0 {
            let error = failure("rename")
            unlink(path)
            throw error
        }
    }
}
