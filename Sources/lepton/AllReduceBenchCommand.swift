import ArgumentParser
import Foundation
import LeptonDistributed
import LeptonMPI
import LeptonTensor

/// `mpirun -np N lepton allreduce-bench`: all-reduce bandwidth of data-parallel training's
/// gradient path against one raw `MPI_Allreduce` of the same bytes, from 4 KB to 64 MB
/// (OSU-style: bus bandwidth `2(N−1)/N · bytes / time`). The path runs three ways: gradients
/// written into the bucket by backward (the training step now: ``DataParallel/backward(_:)``
/// seeds backward with the rank's weight and each dense kernel's gradient GEMM writes into its
/// bucket slot; the backward is untimed, ``DataParallel/synchronizeGradients(_:)`` timed), and
/// the older ways from fresh gradient tensors, packed (weighted) into the bucket, reduced
/// gradients handed back as views into the bucket or copied out. Raw `MPI_Allreduce` runs twice:
/// in a hot loop (OSU's figure) and after the same untimed backward as the training path (a
/// backward just before a call was measured to add about 3 µs to a 4 KB all-reduce, raw or not:
/// the caches it leaves). The methods take turns repetition by repetition, each after a barrier,
/// so that a busy machine slows them alike. Rank 0 prints a Markdown table. Hidden: a benchmark.
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
    @Option(help: "Seconds of timing per size (at least 5 repetitions of each method).")
    var seconds: Double = 1.5
    @Option(help: ArgumentHelp("median or best: the repetition statistic reported (best resists a descheduled rank).", valueName: "statistic"))
    var statistic = "median"

    func validate() throws {
        guard minBytes >= 4, maxBytes >= minBytes, maxBytes <= 1 << 30 else {
            throw ValidationError("--min-bytes/--max-bytes: expected 4 ≤ min ≤ max ≤ 1 GiB, got \(minBytes) and \(maxBytes)")
        }
        guard seconds > 0, seconds <= 60 else { throw ValidationError("--seconds: expected (0, 60], got \(seconds)") }
        guard ["median", "best"].contains(statistic) else { throw ValidationError("--statistic: expected median or best, got '\(statistic)'") }
    }

    func run() throws {
        let communicator = try MPICommunicator.forProcess(timeout: 600)
        defer { (communicator as? MPICommunicator)?.finalize() }
        let n = communicator.size
        if communicator.rank == 0 {
            print("ranks: \(n); bus bandwidth = 2(N-1)/N · bytes / time (OSU); gradients as 8 tensors in one bucket; \(statistic) of interleaved repetitions")
            print("| bytes | raw MPI_Allreduce µs | raw after backward µs | packed, copied out µs | packed, views µs | backward into bucket µs | into bucket GB/s | copied out / raw | views / raw | **into bucket / raw** | **into bucket / raw after backward** |")
            print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        }
        var bytes = minBytes
        while bytes <= maxBytes {
            let count = bytes / 4
            var raw = [Float](repeating: 1, count: count)
            // The same bytes as the gradients of 8 parameters, through DataParallel.
            let parts = (0..<8).map { i in count / 8 + (i < count % 8 ? 1 : 0) }.filter { $0 > 0 }
            func packed(views: Bool) throws -> Method {
                let parameters = parts.map { Tensor(uninitializedShape: [$0]) }
                let gradients = parameters.map { Tensor([Float](repeating: 1, count: $0.count), shape: [$0.count]) }
                let strategy = try DataParallel(communicator: communicator, bucketBytes: max(bytes, 4), gradientsAsBucketViews: views)
                return Method {
                    // As backward left them before: fresh gradient tensors.
                    for (p, g) in zip(parameters, gradients) { p.grad = g }
                    strategy.beginBatch(rows: 1, globalRows: n)
                    strategy.synchronizeGradients(parameters)
                }
            }
            func intoBucket() throws -> Method {
                // Dense kernels [1, part] applied to a 1×1 input: backward's gradient GEMM for
                // each writes its slot of the bucket, already weighted by the seed.
                let parameters = parts.map { Tensor.ones([1, $0]).requiringGrad() }
                let input = Tensor([1], shape: [1, 1])
                let strategy = try DataParallel(communicator: communicator, bucketBytes: max(bytes, 4))
                return Method(setup: {
                    parameters.forEach { $0.zeroGrad() }
                    strategy.beginBatch(rows: 1, globalRows: n)
                    let losses = parameters.map { input.dense($0).sum() }
                    strategy.backward(losses.dropFirst().reduce(losses[0], +))
                }, run: { strategy.synchronizeGradients(parameters) })
            }
            let into = try intoBucket()
            // Raw MPI_Allreduce twice: in a hot loop (OSU's figure), and after the same untimed
            // backward as the training path (the caches as a training step leaves them).
            let methods = [Method { try communicator.allReduce(&raw, .sum) }, Method(setup: into.setup, run: { try communicator.allReduce(&raw, .sum) }),
                           try packed(views: false), try packed(views: true), into]
            let times = try time(communicator, methods)
            if communicator.rank == 0 {
                let factor = 2 * Double(n - 1) / Double(n) * Double(bytes) / 1e9
                print(String(format: "| %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f | %.2f | **%.2f** | **%.2f** |", bytes, times[0] * 1e6,
                             times[1] * 1e6, times[2] * 1e6, times[3] * 1e6, times[4] * 1e6, factor / times[4],
                             times[0] / times[2], times[0] / times[3], times[0] / times[4], times[1] / times[4]))
                fflush(stdout)
            }
            bytes *= 2
        }
    }

    /// One way of reducing the bytes: `run` is timed, `setup` (the step's work before it) not.
    struct Method {
        var setup: () throws -> Void = {}
        var run: () throws -> Void
    }

    /// The median (or best) seconds of each method, the methods taking turns for ``seconds``
    /// (rank 0's count, shared); each repetition counts as its slowest rank.
    private func time(_ communicator: Communicator, _ methods: [Method]) throws -> [Double] {
        for method in methods { try method.setup(); try method.run() }   // warm-up (plans the buckets)
        var samples = [[Float]](repeating: [], count: methods.count)
        let clock = ContinuousClock(), end = clock.now + .milliseconds(Int(seconds * 1000))
        var keepGoing: [Float] = [1]
        while keepGoing[0] > 0 {
            // Each repetition starts with the next method: none always runs first after the
            // broadcast below.
            let first = samples[0].count % methods.count
            for i in Array(first..<methods.count) + Array(0..<first) {
                let method = methods[i]
                try method.setup()
                try communicator.barrier()                    // every rank starts together
                let start = clock.now
                try method.run()
                let d = start.duration(to: clock.now).components
                samples[i].append(Float(Double(d.seconds) + Double(d.attoseconds) * 1e-18))
            }
            keepGoing[0] = samples[0].count < 5 || clock.now < end ? 1 : 0
            try communicator.broadcast(&keepGoing, root: 0)   // every rank runs as many repetitions
        }
        return try samples.map { body in
            var times = body
            try communicator.allReduce(&times, .max)          // a collective is as slow as its slowest rank
            times.sort()
            return Double(statistic == "best" ? times[0] : times[times.count / 2])
        }
    }
}
