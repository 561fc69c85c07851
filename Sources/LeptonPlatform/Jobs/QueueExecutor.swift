import Dispatch

/// A serial executor on a dispatch queue of its own: the executor of the platform's actors that
/// block (starting child processes, polling Slurm, writing job folders), so their waits hold up
/// their own thread and never a thread of the shared executor. Under `lepton platform serve` the
/// shared executor is NIO's event loops, where a blocked thread would stall every connection on it.
public final class QueueExecutor: SerialExecutor {
    private let queue: DispatchQueue

    /// An executor on `queue`, which must be serial.
    public init(queue: DispatchQueue) {
        self.queue = queue
    }

    /// Runs `job` on the queue.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
