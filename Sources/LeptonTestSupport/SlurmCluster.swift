import Foundation

/// A one-node Slurm cluster in a temporary folder, started and stopped by `scripts/slurm.sh`.
public struct SlurmCluster: Sendable {
    /// The folder holding the cluster's config, state, logs and munge socket.
    public let folder: URL
    /// Its `slurm.conf`.
    public var configuration: URL { folder.appendingPathComponent("slurm.conf") }

    /// `scripts/slurm.sh` of this checkout.
    public static let script = NumPyOracle.repositoryRoot.appendingPathComponent("scripts/slurm.sh")

    /// A cluster could not be started: what is missing, or what `scripts/slurm.sh` said.
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts a cluster; throws ``Unavailable`` (a test fails, it does not skip) when Slurm is not installed.
    public static func start() throws -> SlurmCluster {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/sbin"
        let missing = ["sbatch", "squeue", "scancel", "sinfo", "slurmctld", "slurmd", "munged"].filter { tool in
            !path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }
        }
        guard missing.isEmpty else {
            throw Unavailable(description: "Slurm is not installed (missing \(missing.joined(separator: ", "))): run scripts/setup.sh (apt: slurm-wlm munge)")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-slurm-\(UUID().uuidString.prefix(8))")
        let (status, output) = try Self.execute(script.path, ["start", folder.path], environment: ["PATH": path])
        guard status == 0 else { throw Unavailable(description: "scripts/slurm.sh start \(folder.path) failed:\n\(output)") }
        return SlurmCluster(folder: folder)
    }

    /// Stops the cluster's daemons and removes its folder.
    public func stop() {
        _ = try? Self.execute(Self.script.path, ["stop", folder.path], environment: [:])
        try? FileManager.default.removeItem(at: folder)
    }

    /// What Slurm command `tool` prints for `arguments` on this cluster (trimmed).
    public func run(_ tool: String, _ arguments: [String]) throws -> String {
        try Self.execute("/usr/bin/env", [tool] + arguments, environment: ["SLURM_CONF": configuration.path]).output
    }

    /// Runs `executable` to completion with `environment` added; its status and its output and errors together.
    public static func execute(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
        let process = Process(), pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
