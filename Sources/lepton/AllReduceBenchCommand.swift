import ArgumentParser
import Foundation
import LeptonDistributed
import LeptonMPI
import LeptonTensor

/// `mpirun -np N lepton allreduce-bench`: all-reduce bandwidth of data-parallel training's
/// gradient path (``DataParallel/synchronizeGradients(_:)``: weighting and packing into the bucket,
/// all-reduce, gradients handed back as views into the bucket) against one raw `MPI_Allreduce` of the same bytes, from 4 KB to 64 MB (OSU-style:
/// bus bandwidth `2(N−1)/N · bytes / time`). Rank 0 prints a Markdown table. Hidden: a benchmark.
struct AllReduceBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allreduce-bench",
        abstract: "Benchmark: gradient all-reduce inside training vs raw MPI_Allreduce (run under mpirun).",
        shouldDisplay: false
    )

    @Option(help: "Smallest and largest message in bytes (powers of two between).")
    var minBytes = 4096
    @Option(help: "Largest message in bytes.")
    var maxBytes = 64 << 20
    @Option(help: "Seconds of timing per size and method (at least 3 repetitions).")
    var seconds: Double = 0.5

    func validate() throws {
        guard minBytes >= 4, maxBytes >= minBytes, maxBytes <= 1 << 30 else {
            throw ValidationError("--min-bytes/--max-bytes: expected 4 ≤ min ≤ max ≤ 1 GiB, got \(minBytes) and \(maxBytes)")
        }
        guard seconds > 0, seconds <= 60 else { throw ValidationError("--seconds: expected (0, 60], got \(seconds)") }
    }

    func run() throws {
        let communicator = try MPICommunicator.forProcess(timeout: 600)
        defer { (communicator as? MPICommunicator)?.finalize() }
        let n = communicator.size
        if communicator.rank == 0 {
            print("ranks: \(n); bus bandwidth = 2(N-1)/N · bytes / time (OSU); gradients as 8 tensors in one bucket")
            print("| bytes | raw MPI_Allreduce µs | raw GB/s | training path µs | training GB/s | training / raw |")
            print("|---:|---:|---:|---:|---:|---:|")
        }
        var bytes = minBytes
        while bytes <= maxBytes {
            let count = bytes / 4
            var raw = [Float](repeating: 1, count: count)
            let rawTime = try time(communicator) { try communicator.allReduce(&raw, .sum) }
            // The same bytes as the gradients of 8 parameters, through DataParallel.
            let parts = (0..<8).map { i in count / 8 + (i < count % 8 ? 1 : 0) }.filter { $0 > 0 }
            let parameters = parts.map { Tensor(uninitializedShape: [$0]) }
            for p in parameters { p.grad = Tensor([Float](repeating: 1, count: p.count), shape: [p.count]) }
            let strategy = try DataParallel(communicator: communicator, bucketBytes: max(bytes, 4))
            let pathTime = try time(communicator) {
                strategy.beginBatch(rows: 1, globalRows: n)
                strategy.synchronizeGradients(parameters)
            }
            if communicator.rank == 0 {
                let factor = 2 * Double(n - 1) / Double(n) * Double(bytes) / 1e9
                print(String(format: "| %d | %.1f | %.2f | %.1f | %.2f | %.2f |", bytes, rawTime * 1e6, factor / rawTime,
                             pathTime * 1e6, factor / pathTime, rawTime / pathTime))
                fflush(stdout)
            }
            bytes *= 2
        }
    }

    /// The median seconds of `body` over repetitions filling ``seconds`` (rank 0's count, shared).
    private func time(_ communicator: Communicator, _ body: () throws -> Void) throws -> Double {
        try body()   // warm-up
        try communicator.barrier()
        var samples: [Double] = []
        let clock = ContinuousClock(), end = clock.now + .milliseconds(Int(seconds * 1000))
        var keepGoing: [Float] = [1]
        while keepGoing[0] > 0 {
            let start = clock.now
            try body()
            let d = start.duration(to: clock.now).components
            samples.append(Double(d.seconds) + Double(d.attoseconds) * 1e-18)
            keepGoing[0] = samples.count < 3 || clock.now < end ? 1 : 0
            try communicator.broadcast(&keepGoing, root: 0)   // every rank runs as many repetitions
        }
        var times = samples.map { Float($0) }
        try communicator.allReduce(&times, .max)              // a collective is as slow as its slowest rank
        times.sort()
        return Double(times[times.count / 2])
    }
}
