import Foundation
import LeptonPlatformServer
import Testing

/// Replicas a killed platform left running are found by their pid files and killed at the next
/// start — only processes whose environment names the replica.
@Suite("ReplicaProcess")
struct ReplicaProcessTests {
    /// Starts `sleep 600` in a session of its own (as replicas are) with `environment` added; returns its pid.
    static func sleeper(_ environment: [String: String], in folder: URL) async throws -> Int32 {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let pidFile = folder.appendingPathComponent("sleeper-\(UUID().uuidString)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        process.arguments = ["/bin/sh", "-c", "echo $$ > \(pidFile.path) && exec sleep 600"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        try process.run()
        for _ in 0..<500 {
            if let text = try? String(contentsOf: pidFile, encoding: .utf8), text.hasSuffix("\n"), let pid = Int32(text.dropLast()) {
                try? FileManager.default.removeItem(at: pidFile)
                return pid
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw CancellationError()
    }

    @Test("killLeftovers kills replicas named by pid files and nothing else, and removes their folders")
    func leftovers() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-replicas-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let scratch = folder.deletingLastPathComponent().appendingPathComponent("\(folder.lastPathComponent)-pids")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let replica = try await Self.sleeper(["LEPTON_REPLICA_ID": "rep_left"], in: scratch)
        let stranger = try await Self.sleeper([:], in: scratch)
        defer { kill(stranger, SIGKILL); kill(replica, SIGKILL) }
        for (name, pid) in [("rep_left", replica), ("rep_recycled", stranger)] {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(name), withIntermediateDirectories: true)
            try "\(pid)\n".write(to: folder.appendingPathComponent("\(name)/pid"), atomically: true, encoding: .utf8)
        }
        #expect(ReplicaProcess.isReplica(replica, id: "rep_left") && !ReplicaProcess.isReplica(stranger, id: "rep_recycled"))
        ReplicaProcess.killLeftovers(in: folder)
        for _ in 0..<100 where ReplicaProcess.isReplica(replica, id: "rep_left") { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!ReplicaProcess.isReplica(replica, id: "rep_left"))
        #expect(kill(stranger, 0) == 0, "a process that is not the replica was killed")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.isEmpty == true)
    }
}
