import Foundation
import LeptonTensor

/// Times one benchmark: windows alternate Lepton, PyTorch (or NumPy), Keras, JAX, Lepton, … with
/// the same number of repetitions on every side, chosen so that a Lepton window takes about
/// `windowSeconds × windowFactor`. Keras and JAX join the model rows only (``Benchmark/allPeers``).
func run(_ b: Benchmark, threads: Int, peers: PeerGroup, settings: RunSettings) throws -> Result {
    if case .latency = b.metric { return try runLatency(b, threads: threads, peers: peers, settings: settings) }
    Lepton.threadCount = threads
    let step = b.makeLepton()
    // Warm up every side (allocator caches, OpenBLAS buffers, lazy imports, XLA compilation).
    step()
    let once = time(step)
    _ = try peers.torch.timeWindow(b.peerCommand(1))
    let others = warmUpOthers(b, peers: peers) { _ = try $0.timeWindow(b.peerCommand(1)) }
    let reps = max(1, Int((settings.windowSeconds * b.windowFactor / max(once, 1e-6)).rounded()))
    let samples = try interleave(b, peers: peers, others: others, windows: settings.windows,
                                 settle: threads > 1 ? settings.settleSeconds : 0,
                                 lepton: { [b.metric.value(seconds: time { for _ in 0..<reps { step() } }, reps: reps)] },
                                 peer: { [b.metric.value(seconds: try $0.timeWindow(b.peerCommand(reps)), reps: reps)] })
    return Result(benchmark: b, threads: threads, reps: reps, lepton: samples.lepton, peer: samples.peer, others: samples.others)
}

/// Times single calls: windows of `latencyCalls / windows` calls alternate Lepton, PyTorch, Keras,
/// JAX, …; every call is timed on its own (the peers return their calls' times). The summary is
/// over all calls of all windows: median, 10th and 90th percentiles.
func runLatency(_ b: Benchmark, threads: Int, peers: PeerGroup, settings: RunSettings) throws -> Result {
    Lepton.threadCount = threads
    let step = b.makeLepton()
    for _ in 0..<20 { step() }
    _ = try peers.torch.command(b.peerCommand(20))
    let others = warmUpOthers(b, peers: peers) { _ = try $0.command(b.peerCommand(20)) }
    let perWindow = max(1, settings.latencyCalls / settings.windows)
    let samples = try interleave(b, peers: peers, others: others, windows: settings.windows,
                                 settle: threads > 1 ? settings.settleSeconds : 0, lepton: {
        var values: [Double] = []
        values.reserveCapacity(perWindow)
        for _ in 0..<perWindow {
            let t0 = now()
            step()
            values.append((now() - t0) * 1e3)
        }
        return values
    }, peer: { peer in
        let reply = try peer.command(b.peerCommand(perWindow))
        let times = reply.split(separator: " ").compactMap { Double($0) }
        guard times.count == perWindow else {
            throw BenchError("\(peer.kind.displayName) peer replied \(times.count) times to '\(b.peerCommand(perWindow))', expected \(perWindow)")
        }
        return times
    })
    return Result(benchmark: b, threads: threads, reps: perWindow, lepton: samples.lepton, peer: samples.peer, others: samples.others)
}

/// The other peers (Keras, JAX) that run `b`, each warmed up by `warmUp`; one that fails is
/// reported and left out of the row.
private func warmUpOthers(_ b: Benchmark, peers: PeerGroup, _ warmUp: (PeerProcess) throws -> Void) -> [PeerProcess] {
    guard b.allPeers else { return [] }
    return peers.others.filter { peer in
        do { try warmUp(peer); return true } catch { reportFailure(b, peer: peer, peers: peers, error); return false }
    }
}

/// `windows` rounds of Lepton, PyTorch, then each of `others`, each window after a pause of
/// `settle` seconds; the samples of every side. An error of PyTorch's worker ends the run; one of
/// another peer drops that peer from the row.
private func interleave(_ b: Benchmark, peers: PeerGroup, others: [PeerProcess], windows: Int, settle: Double,
                        lepton: () -> [Double], peer: (PeerProcess) throws -> [Double])
    throws -> (lepton: Summary, peer: Summary, others: [PeerSummary]) {
    var leptonValues: [Double] = [], peerValues: [Double] = []
    var active = others.map { (process: $0, values: [Double]()) }
    func pause() { if settle > 0 { usleep(UInt32(settle * 1e6)) } }
    for _ in 0..<windows {
        pause()
        leptonValues += lepton()
        pause()
        peerValues += try peer(peers.torch)
        var failed: [Int] = []
        for i in active.indices {
            pause()
            do { active[i].values += try peer(active[i].process) } catch {
                reportFailure(b, peer: active[i].process, peers: peers, error)
                failed.append(i)
            }
        }
        for i in failed.reversed() { active.remove(at: i) }
    }
    return (Summary(leptonValues), Summary(peerValues), active.map { PeerSummary(kind: $0.process.kind, summary: Summary($0.values)) })
}

private func reportFailure(_ b: Benchmark, peer: PeerProcess, peers: PeerGroup, _ error: Error) {
    print("  \(b.name) @\(peers.threads) thr: \(peer.kind.displayName) failed, the row goes on without it: \(error)")
    peers.dropIfDead(peer)
}
