import Foundation

/// A persistent Python worker (`python/bench_peer.py`) that times NumPy / PyTorch windows.
///
/// One worker runs per thread count: its thread count is fixed through the environment
/// (`OMP_NUM_THREADS`, `OPENBLAS_NUM_THREADS`, `MKL_NUM_THREADS`) before NumPy and PyTorch load,
/// and by `torch.set_num_threads`. `OPENBLAS_CORETYPE` and `OPENBLAS_L2_SIZE` are removed from
/// its environment: they are set on some machines for old OpenBLAS builds and slow a current
/// NumPy down.
final class PeerProcess {
    let threads: Int
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffer = [UInt8]()

    /// The environment variables removed from the peer's environment.
    static let removedVariables = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"]

    init(threads: Int) throws {
        self.threads = threads
        let (python, script) = try PeerProcess.pythonAndScript()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script]
        process.environment = PeerProcess.environment(threads: threads)
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let reply = try command("threads \(threads)")
        guard reply.hasPrefix("ok") else { throw BenchError("peer did not start: \(reply)") }
    }

    /// The peer's Python (`LEPTON_PYTHON`, default `python3`) and the path of `bench_peer.py`.
    static func pythonAndScript() throws -> (python: String, script: String) {
        let env = ProcessInfo.processInfo.environment
        let python = env["LEPTON_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "python3"
        guard let script = PeerProcess.locateScript() else {
            throw BenchError("cannot find python/bench_peer.py (looked under the current directory, its parents, "
                             + "and beside the executable); set LEPTON_BENCH_PEER to its path")
        }
        return (python, script)
    }

    /// The environment of a peer process running `threads` threads.
    static func environment(threads: Int) -> [String: String] {
        var childEnv = ProcessInfo.processInfo.environment
        for name in PeerProcess.removedVariables { childEnv.removeValue(forKey: name) }
        for name in ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"] { childEnv[name] = String(threads) }
        childEnv["PYTHONUNBUFFERED"] = "1"
        return childEnv
    }

    /// Finds `python/bench_peer.py`: `LEPTON_BENCH_PEER`, then the current directory and its
    /// parents, then the executable's directory and its parents (`.build*/release/lepton-bench`).
    static func locateScript() -> String? {
        let fm = FileManager.default
        if let path = ProcessInfo.processInfo.environment["LEPTON_BENCH_PEER"], fm.fileExists(atPath: path) {
            return path
        }
        var starts = [URL(fileURLWithPath: fm.currentDirectoryPath)]
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        starts.append(exe.deletingLastPathComponent())
        for start in starts {
            var dir = start.standardizedFileURL
            for _ in 0..<6 {
                let candidate = dir.appendingPathComponent("python/bench_peer.py").path
                if fm.fileExists(atPath: candidate) { return candidate }
                dir = dir.deletingLastPathComponent()
            }
        }
        return nil
    }

    /// Sends one command line and returns the reply line.
    func command(_ line: String) throws -> String {
        let sent = (try? input.fileHandleForWriting.write(contentsOf: (line + "\n").data(using: .utf8)!)) != nil
        guard sent, let reply = readLine() else {
            throw BenchError("the Python peer exited (command '\(line)'); is numpy/torch installed for "
                             + "\(ProcessInfo.processInfo.environment["LEPTON_PYTHON"] ?? "python3")?")
        }
        if reply.hasPrefix("error") { throw BenchError("peer: \(reply) (command '\(line)')") }
        return reply
    }

    /// Seconds the peer took for one timed window (`command` names the work and repetitions).
    func timeWindow(_ command: String) throws -> Double {
        let reply = try self.command(command)
        guard let seconds = Double(reply.trimmingCharacters(in: .whitespaces)) else {
            throw BenchError("peer replied '\(reply)' to '\(command)', expected seconds")
        }
        return seconds
    }

    private func readLine() -> String? {
        let fd = output.fileHandleForReading.fileDescriptor
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if let nl = buffer.firstIndex(of: 10) {
                let line = String(decoding: buffer[..<nl], as: UTF8.self)
                buffer.removeSubrange(...nl)
                return line
            }
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, 4096) }
            if n <= 0 { return nil }
            buffer.append(contentsOf: chunk[..<n])
        }
    }

    func close() {
        try? input.fileHandleForWriting.write(contentsOf: "quit\n".data(using: .utf8)!)
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
