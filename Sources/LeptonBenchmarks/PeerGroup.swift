import Foundation

/// The peer workers of one thread count: PyTorch (always; it also serves NumPy's sgemm and the
/// bars are against it) and those of Keras and JAX that started. A Keras or JAX worker that cannot
/// start is skipped with its reason; one that dies later is dropped for the rest of the run.
final class PeerGroup {
    let threads: Int
    let torch: PeerProcess
    /// The other frameworks' workers, in ``PeerKind`` order.
    private(set) var others: [PeerProcess] = []
    /// Peers asked for that do not run at this thread count, with the reason.
    private(set) var skipped: [(kind: PeerKind, reason: String)] = []

    /// Starts the workers of `kinds` (PyTorch whether listed or not). Throws only when PyTorch's
    /// worker cannot start.
    init(_ kinds: [PeerKind], threads: Int) throws {
        self.threads = threads
        torch = try PeerProcess(.torch, threads: threads)
        for kind in PeerKind.allCases where kind != .torch && kinds.contains(kind) {
            do {
                others.append(try PeerProcess(kind, threads: threads))
            } catch {
                skipped.append((kind, "\(error)"))
            }
        }
    }

    /// Every running worker, PyTorch first.
    var all: [PeerProcess] { [torch] + others }

    /// Drops a worker after it failed, when its process has died (a live one only failed that row).
    func dropIfDead(_ peer: PeerProcess) {
        guard peer !== torch, peer.hasExited else { return }
        others.removeAll { $0 === peer }
        peer.close()
        skipped.append((peer.kind, "its worker exited"))
    }

    /// A line naming the peers that run and those skipped, with why.
    var description: String {
        var line = "peers (\(threads) thr): " + all.map { $0.kind.displayName }.joined(separator: ", ")
        if !skipped.isEmpty {
            line += "; skipped: " + skipped.map { "\($0.kind.displayName) (\($0.reason))" }.joined(separator: "; ")
        }
        return line
    }

    func close() {
        for peer in all { peer.close() }
    }
}
