#if canImport(Glibc)
import Glibc
#endif

/// What stands at a path, read with `lstat` (a symbolic link is reported as a link, never followed).
public enum FileKind: Equatable, Sendable {
    case missing
    case regularFile
    case directory
    case symbolicLink
    case characterDevice
    case blockDevice
    case fifo
    case socket
    case other

    /// The kind at `path`; `missing` when nothing is there (or the parent cannot be searched).
    public init(atPath path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            self = .missing
            return
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: self = .regularFile
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symbolicLink
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        case S_IFIFO: self = .fifo
        case S_IFSOCK: self = .socket
        default: self = .other
        }
    }

    /// "a character device", "a FIFO", … for messages.
    public var phrase: String {
        switch self {
        case .missing: return "nothing"
        case .regularFile: return "a file"
        case .directory: return "a folder"
        case .symbolicLink: return "a symbolic link"
        case .characterDevice: return "a character device"
        case .blockDevice: return "a block device"
        case .fifo: return "a FIFO (named pipe)"
        case .socket: return "a socket"
        case .other: return "a special file"
        }
    }
}
