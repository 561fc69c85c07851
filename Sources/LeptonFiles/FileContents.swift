import Foundation

/// Whole-file reads, the one way Lepton reads a file into memory.
///
/// Foundation's whole-file reads (`Data(contentsOf:)`, `FileManager.contents(atPath:)`,
/// `String(contentsOf:)`) leak 4 KiB on every read of an empty file (Foundation of Swift 6.3: a
/// file whose size reads as 0 is read into a growing buffer that is never freed; measured:
/// 200,000 reads of an empty file grew the process by 800 MB; found by the `npz` fuzz target).
/// These read a regular file whose size is 0 (empty, or a `/proc` file) through a `FileHandle`
/// instead, which frees its buffer, and everything else as Foundation does.
public enum FileContents {
    /// The file's bytes (memory-mapped when `mapped`), as `Data(contentsOf:options:)` gives them.
    /// - Throws: Foundation's error for a missing or unreadable file.
    public static func read(_ url: URL, mapped: Bool = false) throws -> Data {
        var info = stat()
        // Only regular files: a device (/dev/zero) or a FIFO is left to Foundation, which refuses
        // or bounds it as before, instead of being read to its (endless) end.
        if stat(url.path, &info) == 0, info.st_size == 0, info.st_mode & S_IFMT == S_IFREG {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            return try handle.readToEnd() ?? Data()
        }
        return try Data(contentsOf: url, options: mapped ? .alwaysMapped : [])
    }

    /// The file's bytes, or nil when it cannot be read (missing, a folder, no permission), as
    /// `FileManager.contents(atPath:)` gives them.
    public static func read(atPath path: String) -> Data? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { return nil }
        return try? read(URL(fileURLWithPath: path))
    }

    /// The file as UTF-8 text, or nil when it cannot be read or is not valid UTF-8.
    public static func text(_ url: URL) -> String? {
        guard let data = try? read(url) else { return nil }
        return String(data: data, encoding: .utf8)
    }
}
