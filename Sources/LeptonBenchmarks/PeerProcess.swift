import Foundation

/// A persistent Python worker of one ``PeerKind`` (`python/bench_peer.py`, `bench_peer_keras.py`,
/// `bench_peer_jax.py`) that times windows of its framework's work.
///
/// One worker runs per peer and thread count: its thread count is fixed through the environment
/// (`OMP_NUM_THREADS`, `OPENBLAS_NUM_THREADS`, `MKL_NUM_THREADS`) before its libraries load, and by
/// its `threads N` command (`torch.set_num_threads`; TensorFlow's intra-op pool; JAX's
/// `PJRT_NPROC`). `OPENBLAS_CORETYPE` and `OPENBLAS_L2_SIZE` are removed from its environment: they
/// are set on some machines for old OpenBLAS builds and slow a current NumPy down.
final class PeerProcess {
    let kind: PeerKind
    let threads: Int
    private let python: String
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffer = [UInt8]()
    private var exited = false
    /// Whether the worker has answered a command yet (a worker that dies before has failed to start).
    private var answered = false

    /// The environment variables removed from the peer's environment.
    static let removedVariables = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"]

    init(_ kind: PeerKind = .torch, threads: Int) throws {
        self.kind = kind
        self.threads = threads
        let (python, script) = try kind.pythonAndScript().get()
        self.python = python
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script]
        process.environment = PeerProcess.environment(threads: threads)
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        do {
            let reply = try command("threads \(threads)")
            guard reply.hasPrefix("ok") else { throw BenchError("\(kind.displayName) peer did not start: \(reply)") }
        } catch {
            close()
            throw error
        }
    }

    /// Whether the worker has gone: its output ended, or its process is no longer running.
    var hasExited: Bool { exited || !process.isRunning }

    /// The PyTorch peer's Python (`LEPTON_PYTHON`, default `python3`) and the path of `bench_peer.py`.
    static func pythonAndScript() throws -> (python: String, script: String) {
        try PeerKind.torch.pythonAndScript().get()
    }

    /// The environment of a peer process running `threads` threads.
    static func environment(threads: Int) -> [String: String] {
        var childEnv = ProcessInfo.processInfo.environment
        for name in PeerProcess.removedVariables { childEnv.removeValue(forKey: name) }
        for name in ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"] { childEnv[name] = String(threads) }
        childEnv["PYTHONUNBUFFERED"] = "1"
        return childEnv
    }

    /// Sends one command line and returns the reply line.
    func command(_ line: String) throws -> String {
        let sent = (try? input.fileHandleForWriting.write(contentsOf: (line + "\n").data(using: .utf8)!)) != nil
        guard sent, let reply = readLine() else {
            exited = true
            let hint = answered ? "" : "; does \(python) have its packages ("
                + (kind == .torch ? "python/requirements.txt" : "scripts/bench_peers_setup.sh") + ")?"
            throw BenchError("the \(kind.displayName) peer exited (command '\(line)')" + hint)
        }
        answered = true
        if reply.hasPrefix("error") { throw BenchError("\(kind.displayName) peer: \(reply) (command '\(line)')") }
        return reply
    }

    /// Seconds the peer took for one timed window (`command` names the work and repetitions).
    func timeWindow(_ command: String) throws -> Double {
        let reply = try self.command(command)
        guard let seconds = Double(reply.trimmingCharacters(in: .whitespaces)) else {
            throw BenchError("\(kind.displayName) peer replied '\(reply)' to '\(command)', expected seconds")
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
