import Foundation

/// A framework that `lepton-bench` runs beside Lepton, each in its own Python worker speaking the
/// protocol of `python/bench_peer_common.py`: PyTorch (with NumPy: the reference, the bars are
/// against it), TensorFlow-Keras with XLA, and JAX. Keras and JAX run the model rows only and live
/// in their own virtual environments (`scripts/bench_peers_setup.sh`).
enum PeerKind: String, CaseIterable {
    case torch, keras, jax

    /// The name in tables and messages.
    var displayName: String {
        switch self {
        case .torch: return "PyTorch"
        case .keras: return "Keras"
        case .jax: return "JAX"
        }
    }

    /// The worker script's file name, in `python/`.
    var scriptName: String {
        switch self {
        case .torch: return "bench_peer.py"
        case .keras: return "bench_peer_keras.py"
        case .jax: return "bench_peer_jax.py"
        }
    }

    /// The environment variable that names this peer's Python.
    var pythonVariable: String {
        switch self {
        case .torch: return "LEPTON_PYTHON"
        case .keras: return "LEPTON_PYTHON_KERAS"
        case .jax: return "LEPTON_PYTHON_JAX"
        }
    }

    /// The virtual environment (beside `python/`) whose Python runs this peer by default.
    var venv: String? {
        switch self {
        case .torch: return nil
        case .keras: return ".venv-bench-keras"
        case .jax: return ".venv-bench-jax"
        }
    }

    /// This peer's Python and worker script, or why it cannot run: the variable
    /// ``pythonVariable`` when set, else the venv's `bin/python` (PyTorch: `python3`).
    func pythonAndScript() -> Swift.Result<(python: String, script: String), BenchError> {
        guard let script = PeerKind.locateScript(scriptName) else {
            return .failure(BenchError("cannot find python/\(scriptName) (looked under the current directory, its "
                                       + "parents, and beside the executable); set LEPTON_BENCH_PEER to bench_peer.py's path"))
        }
        if let python = ProcessInfo.processInfo.environment[pythonVariable], !python.isEmpty {
            return .success((python, script))
        }
        guard let venv else { return .success(("python3", script)) }
        let root = URL(fileURLWithPath: script).deletingLastPathComponent().deletingLastPathComponent()
        let python = root.appendingPathComponent(venv).appendingPathComponent("bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            return .failure(BenchError("no \(venv) beside python/ (run scripts/bench_peers_setup.sh, or set \(pythonVariable))"))
        }
        return .success((python, script))
    }

    /// Parses `--peers torch,keras,jax`. PyTorch always runs (the bars are against it).
    static func parseList(_ text: String) -> [PeerKind]? {
        var kinds: [PeerKind] = [.torch]
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            guard let kind = PeerKind(rawValue: name) else { return nil }
            if !kinds.contains(kind) { kinds.append(kind) }
        }
        return kinds
    }

    /// Finds `python/NAME`: beside `LEPTON_BENCH_PEER` (the path of `bench_peer.py`), then under
    /// the current directory and its parents, then the executable's directory and its parents
    /// (`.build*/release/lepton-bench`).
    static func locateScript(_ name: String) -> String? {
        let fm = FileManager.default
        if let path = ProcessInfo.processInfo.environment["LEPTON_BENCH_PEER"], fm.fileExists(atPath: path) {
            let sibling = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(name).path
            if fm.fileExists(atPath: sibling) { return sibling }
        }
        var starts = [URL(fileURLWithPath: fm.currentDirectoryPath)]
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        starts.append(exe.deletingLastPathComponent())
        for start in starts {
            var dir = start.standardizedFileURL
            for _ in 0..<6 {
                let candidate = dir.appendingPathComponent("python").appendingPathComponent(name).path
                if fm.fileExists(atPath: candidate) { return candidate }
                dir = dir.deletingLastPathComponent()
            }
        }
        return nil
    }
}
