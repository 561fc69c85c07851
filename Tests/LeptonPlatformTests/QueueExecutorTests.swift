import Dispatch
import LeptonPlatform
import Testing

/// An actor on a queue of its own, as the job scheduler and the deployment supervisor are.
private actor QueuedCounter {
    static let key = DispatchSpecificKey<String>()
    private let executor: QueueExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    private var count = 0

    init(queue: DispatchQueue) { executor = QueueExecutor(queue: queue) }

    /// Counts one call; returns the count and the queue it ran on.
    func increment() -> (Int, String?) {
        count += 1
        return (count, DispatchQueue.getSpecific(key: Self.key))
    }
}

@Suite struct QueueExecutorTests {
    @Test func theActorRunsOnItsQueueOneCallAtATime() async {
        let queue = DispatchQueue(label: "test.queue-executor")
        queue.setSpecific(key: QueuedCounter.key, value: "mine")
        let counter = QueuedCounter(queue: queue)
        let results = await withTaskGroup(of: (Int, String?).self) { group in
            for _ in 0..<200 { group.addTask { await counter.increment() } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0.1 == "mine" })
        #expect(Set(results.map(\.0)) == Set(1...200))   // serial: no count lost or repeated
        #expect(DispatchQueue.getSpecific(key: QueuedCounter.key) == nil)
    }
}
