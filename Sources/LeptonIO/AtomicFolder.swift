import Foundation
import LeptonFiles

/// Writes a folder (a model, a checkpoint) so that a crash or an error mid-save never leaves a
/// half-written folder in its place: the files go into a staging folder beside the target,
/// which is renamed into place only once complete. An existing folder is first renamed aside
/// and removed after the new one is in place; ``existing(_:)`` finds that copy should a crash
/// fall between the two renames. A successful save removes what crashed saves left behind
/// (one writer per folder is assumed). What stands at `url` is checked first
/// (``OutputPath/checkFolder(_:kind:overwrite:)``): only an empty folder or a folder of the same
/// kind is ever replaced, never a device, a link or somebody else's files.
public enum AtomicFolder {
    /// Creates the folder at `url` with the files `fill` writes into the staging folder it is given.
    /// - Parameters:
    ///   - kind: what the folder is; an existing folder is replaced only when it is of this kind
    ///     (holding nothing but the files such a folder holds) or empty.
    ///   - overwrite: whether an existing folder of `kind` may be replaced.
    /// - Throws: ``IOError`` naming the folder when something else stands there or it cannot be
    ///   written, or what `fill` throws; in every case the folder that was at `url` is left as it
    ///   was and the staging folder is removed.
    public static func write(_ url: URL, kind: OutputFolderKind, overwrite: Bool, _ fill: (URL) throws -> Void) throws {
        do {
            try OutputPath.checkFolder(url, kind: kind, overwrite: overwrite)
        } catch let error as OutputPathError {
            throw IOError(error.message, file: error.path)
        }
        let fm = FileManager.default
        let parent = url.deletingLastPathComponent(), name = url.lastPathComponent
        let staging = parent.appendingPathComponent(".\(name).tmp-\(UUID().uuidString)")
        do {
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        } catch {
            throw IOError("cannot create a folder here (\(reason(error)))", file: parent.path)
        }
        do {
            try fill(staging)
            let aside = parent.appendingPathComponent(".\(name).old-\(UUID().uuidString)")
            let replacing = fm.fileExists(atPath: url.path)
            if replacing { try rename(url, to: aside) }
            do {
                try rename(staging, to: url)
            } catch {
                if replacing { try? rename(aside, to: url) }
                throw error
            }
            if replacing { try? fm.removeItem(at: aside) }
            removeLeftovers(of: url)
        } catch {
            try? fm.removeItem(at: staging)
            throw error
        }
    }

    /// `url` if it exists; otherwise the previous version a save set aside just before a crash
    /// (so it never got renamed back), if there is one; otherwise nil.
    public static func existing(_ url: URL) -> URL? {
        let fm = FileManager.default
        if fm.fileExists(atPath: url.path) { return url }
        let parent = url.deletingLastPathComponent(), prefix = ".\(url.lastPathComponent).old-"
        guard let names = try? fm.contentsOfDirectory(atPath: parent.path) else { return nil }
        return names.filter { $0.hasPrefix(prefix) }.sorted().first.map { parent.appendingPathComponent($0) }
    }

    /// Removes what earlier saves of `url` left behind when they crashed: staging folders and
    /// set-aside copies (a complete folder is in place now). One writer per folder is assumed.
    private static func removeLeftovers(of url: URL) {
        let fm = FileManager.default
        let parent = url.deletingLastPathComponent(), name = url.lastPathComponent
        let names = (try? fm.contentsOfDirectory(atPath: parent.path)) ?? []
        for leftover in names where leftover.hasPrefix(".\(name).tmp-") || leftover.hasPrefix(".\(name).old-") {
            try? fm.removeItem(at: parent.appendingPathComponent(leftover))
        }
    }

    private static func rename(_ from: URL, to: URL) throws {
        do {
            try FileManager.default.moveItem(at: from, to: to)
        } catch {
            throw IOError("cannot rename \(from.lastPathComponent) to \(to.lastPathComponent) (\(reason(error)))", file: to.deletingLastPathComponent().path)
        }
    }

    /// A short reason from a Foundation error.
    static func reason(_ error: Error) -> String {
        if let io = error as? IOError { return io.description }
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError,
           let posix = POSIXErrorCode(rawValue: Int32(underlying.code)), underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(posix.rawValue))
        }
        return ns.localizedDescription
    }
}
