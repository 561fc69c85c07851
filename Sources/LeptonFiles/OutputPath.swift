import Foundation

/// A kind of folder Lepton writes, known by the files in it. An existing folder of this kind
/// holds only what Lepton wrote, so it may be replaced; any other non-empty folder may not.
public struct OutputFolderKind: Sendable {
    /// For messages: "a Lepton model folder".
    public let name: String
    /// The file that marks the kind, and a text it must contain (nil: any content).
    public let marker: (file: String, contains: String?)
    /// Every file name such a folder may hold.
    public let files: Set<String>

    public init(name: String, marker: (file: String, contains: String?), files: Set<String>) {
        self.name = name
        self.marker = marker
        self.files = files.union([marker.file])
    }

    /// Whether the folder at `url` is of this kind: its marker is there and every entry is one
    /// of ``files``.
    public func matches(_ url: URL) -> Bool {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: url.path),
              entries.contains(marker.file), entries.allSatisfy(files.contains) else { return false }
        guard let needle = marker.contains else { return true }
        let markerURL = url.appendingPathComponent(marker.file)
        guard FileKind(atPath: markerURL.path) == .regularFile,
              let handle = FileHandle(forReadingAtPath: markerURL.path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 4096)) ?? Data()
        return String(decoding: head, as: UTF8.self).contains(needle)
    }
}

/// Checks what already stands at a path before Lepton writes there, so that output never
/// destroys what Lepton did not create: devices, FIFOs and sockets are refused, a symbolic link
/// is never written through, an existing file is replaced only when allowed, and a folder only
/// when it is empty or holds nothing but a folder of the same kind that Lepton wrote.
public enum OutputPath {
    /// Refuses an empty path (which would mean the current folder).
    /// - Parameter what: the setting that gave it, for the message (`"--output"`).
    public static func checkNotEmpty(_ path: String, what: String) throws {
        guard !path.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw OutputPathError("\(what): expected a path, got an empty one", path: path)
        }
    }

    /// Checks that a folder of `kind` may be written at `url`: nothing is there, an empty folder,
    /// or — when `overwrite` — a folder of `kind`.
    /// - Throws: ``OutputPathError`` naming what stands there and what is expected.
    public static func checkFolder(_ url: URL, kind: OutputFolderKind, overwrite: Bool) throws {
        let path = url.path
        let found = FileKind(atPath: path)
        switch found {
        case .missing:
            return
        case .directory:
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            if entries.isEmpty { return }
            if kind.matches(url) {
                guard overwrite else {
                    throw OutputPathError("holds \(kind.name) already; pass --overwrite (overwrite: true) to replace it, or choose a new path", path: path)
                }
                return
            }
            let shown = entries.sorted().prefix(3).joined(separator: ", ") + (entries.count > 3 ? ", …" : "")
            throw OutputPathError("is a folder of other files (\(entries.count) entries: \(shown)); "
                                  + "Lepton replaces only an empty folder or \(kind.name) it wrote; choose a new path", path: path)
        default:
            throw OutputPathError("is \(found.phrase); expected a new path or \(kind.name)", path: path)
        }
    }

    /// Checks that a file may be written at `url`: nothing is there, or — when `overwrite` — a
    /// regular file.
    /// - Throws: ``OutputPathError`` naming what stands there and what is expected.
    public static func checkFile(_ url: URL, overwrite: Bool) throws {
        let path = url.path
        let found = FileKind(atPath: path)
        switch found {
        case .missing:
            return
        case .regularFile:
            guard overwrite else {
                throw OutputPathError("a file is already there; pass --overwrite (overwrite: true) to replace it, or choose a new path", path: path)
            }
        default:
            throw OutputPathError("is \(found.phrase); expected a new path or a regular file", path: path)
        }
    }
}
