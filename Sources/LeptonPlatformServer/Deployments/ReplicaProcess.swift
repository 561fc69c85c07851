import Foundation
import LeptonPlatform

/// One `lepton serve` process in a session (and process group) of its own, so stopping it stops
/// everything it started. `setsid` forks when its caller leads a process group (Foundation's
/// `Process` makes its children do so), so the pid `Process` knows is not the server's: a shell
/// writes its own pid to `pid`, then `exec`s the server, which keeps that pid and leads the group.
/// The server is then not this process's child, so its end is observed by polling `/proc` (its
/// environment names the replica, so a recycled pid is not mistaken for it). The folder also holds
/// `port` (written by the server once it listens) and `log.txt`.
public final class ReplicaProcess: @unchecked Sendable {
    /// The replica's id (also in its environment as `LEPTON_REPLICA_ID`).
    let id: String
    /// The server's process id, which is also its process group id.
    let pid: Int32
    /// Its folder.
    let folder: URL
    private let lock = NSLock()
    private var ended = false

    /// Starts `executable serve --repository REPOSITORY --port 0` in `folder`.
    init(id: String, executable: String, repository: URL, folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let log = folder.appendingPathComponent("log.txt"), pidFile = folder.appendingPathComponent("pid")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        process.arguments = ["/bin/sh", "-c", "echo $$ > pid && exec \"$@\"", "sh", executable, "serve", "--repository", repository.path,
                             "--port", "0", "--port-file", folder.appendingPathComponent("port").path, "--no-load-check", "--threads", "1",
                             "--log-format", "json"]
        var environment = ProcessInfo.processInfo.environment
        environment["LEPTON_REPLICA_ID"] = id
        environment.removeValue(forKey: "LEPTON_SERVE_TOKENS")
        environment.removeValue(forKey: "LEPTON_SERVE_ADMIN_TOKENS")
        process.environment = environment
        process.currentDirectoryURL = folder
        process.standardInput = FileHandle.nullDevice
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        do { try process.run() } catch {
            throw PlatformError(.internalError, "cannot start a replica (\(executable) serve): \(error)")
        }
        var started: Int32?
        for _ in 0..<1000 {
            if let text = try? String(contentsOf: pidFile, encoding: .utf8), text.hasSuffix("\n"), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                started = pid
                break
            }
            usleep(10_000)
        }
        guard let started else { throw PlatformError(.internalError, "a replica's shell did not start within 10 s") }
        self.id = id
        self.folder = folder
        pid = started
    }

    /// Whether the server still runs (a zombie or a recycled pid counts as ended).
    var isRunning: Bool {
        lock.lock(); defer { lock.unlock() }
        if ended { return false }
        ended = !Self.isReplica(pid, id: id)
        return !ended
    }

    /// The port the server listens on, once it has written it.
    var port: Int? {
        (try? String(contentsOf: folder.appendingPathComponent("port"), encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// The last lines of its log, for an event that says why it failed.
    func logTail(_ characters: Int = 300) -> String {
        let text = (try? String(contentsOf: folder.appendingPathComponent("log.txt"), encoding: .utf8)) ?? ""
        return String(text.suffix(characters)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Sends `signal` to its whole process group.
    func signal(_ signal: Int32) {
        if isRunning { kill(-pid, signal) }
    }

    /// Stops it: SIGTERM to its group (in-flight requests finish), SIGKILL after `grace` seconds.
    func stop(grace: TimeInterval = 5) async {
        signal(SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if isRunning { kill(-pid, SIGKILL) }
        for _ in 0..<100 where isRunning { try? await Task.sleep(for: .milliseconds(10)) }
    }

    /// Whether `pid` is a live (not zombie) process whose environment names replica `id`. An
    /// environment that cannot be read (for an instant while the shell `exec`s the server) counts
    /// as the replica's.
    public static func isReplica(_ pid: Int32, id: String) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")"),
              stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first != "Z" else { return false }
        guard let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ"), !environ.isEmpty else { return true }
        return environ.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == "LEPTON_REPLICA_ID=\(id)" }
    }

    /// Kills the process groups of replicas an earlier platform process left running (it was
    /// killed before it could stop them): every `<folder>/*/pid` whose process still carries its
    /// replica id. The folders are removed.
    public static func killLeftovers(in folder: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names {
            let replica = folder.appendingPathComponent(name)
            if let text = try? String(contentsOf: replica.appendingPathComponent("pid"), encoding: .utf8),
               let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), isReplica(pid, id: name) {
                kill(-pid, SIGKILL)
            }
            try? FileManager.default.removeItem(at: replica)
        }
    }
}
