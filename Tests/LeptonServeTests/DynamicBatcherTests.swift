import Foundation
import LeptonServe
import Testing

/// The dynamic batcher: merging concurrent requests, order and row ownership, requests of
/// several rows, batching off (and Triton's max_batch_size 0), the queue bound, timeouts and cancellation.
@Suite struct DynamicBatcherTests {
    func request(_ values: [Float]) -> [String: V2Tensor] {
        ["x": V2Tensor(name: "x", floats: values, shape: [values.count / 2, 2])]
    }

    func batcher(_ model: RecordingModel, _ config: ModelConfig) -> DynamicBatcher {
        DynamicBatcher(model: model, config: config, statistics: ModelStatistics(name: "t", version: "1"))
    }

    @Test func concurrentRequestsMergeAndEachGetsItsOwnRows() async throws {
        let model = RecordingModel(delay: 0.01)
        let b = batcher(model, ModelConfig(maxBatchSize: 16, maxQueueDelayMicroseconds: 20_000))
        let answers = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for i in 0..<40 {
                let rows = i % 3 == 0 ? 2 : 1
                let values = (0..<(rows * 2)).map { Float(i * 10 + $0) }
                group.addTask { (i, try await b.submit(request(values))["y"]!.floats()!) }
            }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        for i in 0..<40 {
            let rows = i % 3 == 0 ? 2 : 1
            #expect(answers[i] == (0..<(rows * 2)).map { Float(i * 10 + $0) * 2 }, "request \(i)")
        }
        let sizes = model.batchSizes
        #expect(sizes.reduce(0, +) == 54)
        #expect(sizes.allSatisfy { $0 <= 16 })
        #expect(sizes.count < 40, "requests were merged: \(sizes)")
    }

    @Test func batchingOffRunsOneRequestPerPass() async throws {
        let model = RecordingModel()
        let b = batcher(model, ModelConfig(dynamicBatching: false))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<10 { group.addTask { _ = try await b.submit(request([Float(i), 0])) } }
            try await group.waitForAll()
        }
        #expect(model.batchSizes == Array(repeating: 1, count: 10))
    }

    @Test func maxBatchSizeZeroTakesShapesLiterally() async throws {
        let model = RecordingModel()
        let b = batcher(model, ModelConfig(maxBatchSize: 0, maxQueueDelayMicroseconds: 20_000))
        let answers = try await withThrowingTaskGroup(of: [Float].self) { group in
            for rows in [3, 200, 1] { group.addTask { try await b.submit(request((0..<(rows * 2)).map(Float.init)))["y"]!.floats()! } }
            return try await group.reduce(into: [Int]()) { $0.append($1.count) }
        }
        #expect(answers.sorted() == [2, 6, 400], "each request answered whole, none merged, no row limit")
        #expect(model.batchSizes.sorted() == [1, 3, 200])
    }

    @Test func aFullQueueAnswers503() async throws {
        let model = RecordingModel()
        let b = batcher(model, ModelConfig(maxBatchSize: 8, maxQueueDelayMicroseconds: 3_000_000, maxQueueSize: 2))
        let statuses = await withTaskGroup(of: Int.self) { group in
            for i in 0..<5 {
                group.addTask {
                    do { _ = try await b.submit(request([Float(i), 0])); return 200 } catch let e as ServeError { return e.status } catch { return -1 }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 200 }.count == 2 && statuses.filter { $0 == 503 }.count == 3, "\(statuses)")
    }

    @Test func tooManyRowsAndCancellation() async throws {
        let model = RecordingModel()
        let b = batcher(model, ModelConfig(maxBatchSize: 2, maxQueueDelayMicroseconds: 30_000_000))
        await #expect(throws: ServeError.badRequest("batch size 3 exceeds the model's max_batch_size 2")) {
            _ = try await b.submit(request([1, 2, 3, 4, 5, 6]))
        }
        let task = Task { try await b.submit(request([1, 2])) }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(b.queueDepth == 0)
        #expect(model.batchSizes.isEmpty)
    }

    @Test func requestsPastTheirTimeoutGet504QueuedOrRunning() async throws {
        // Queued: the batch would wait 3 s for company; the request may take 0.2 s, so it gets a
        // 504 and never reaches the model.
        let idle = RecordingModel()
        let waiting = batcher(idle, ModelConfig(maxBatchSize: 8, maxQueueDelayMicroseconds: 3_000_000))
        await #expect { _ = try await waiting.submit(request([1, 2]), timeout: .milliseconds(200)) } throws: { error in
            (error as? ServeError)?.status == 504 && "\(error)".contains("request timeout of 0.2 seconds")
        }
        try await Task.sleep(for: .seconds(3.5))
        #expect(idle.batchSizes.isEmpty, "a timed-out request is not computed")
        #expect(waiting.queueDepth == 0)
        // Running: the forward pass takes 1.5 s, the request may take 0.3 s: the 504 comes while the
        // pass still runs (the timer does not wait for it), and the batcher keeps serving.
        let slow = RecordingModel(delay: 1.5)
        let running = batcher(slow, ModelConfig(dynamicBatching: false))
        await #expect { _ = try await running.submit(request([1, 2]), timeout: .milliseconds(300)) } throws: { error in
            (error as? ServeError)?.status == 504
        }
        #expect(try await running.submit(request([3, 4]), timeout: .seconds(60))["y"]!.floats() == [6, 8])
        #expect(slow.batchSizes == [1, 1])
    }

    @Test func closingAnswersQueuedRequestsThenRefusesNewOnes() async throws {
        let model = RecordingModel()
        let b = batcher(model, ModelConfig(maxBatchSize: 8, maxQueueDelayMicroseconds: 5_000_000))
        let queued = Task { try await b.submit(request([3, 4])) }
        try await Task.sleep(for: .milliseconds(300))
        await b.close(reason: "unloaded")
        #expect(try await queued.value["y"]!.floats() == [6, 8])
        await #expect(throws: ServeError.unavailable("unloaded")) { _ = try await b.submit(request([1, 2])) }
    }

    /// Issue 19: a queue delay of 1e16 µs made the timer's nanosecond arithmetic overflow and
    /// stop the process; limits out of range are clamped here and delays saturate.
    @Test func extremeDelaysTimeoutsAndInstanceCountsDoNotOverflow() async throws {
        let b = batcher(RecordingModel(), ModelConfig(maxBatchSize: 1, maxQueueDelayMicroseconds: .max, instanceCount: .max))
        #expect(try await b.submit(request([1, 2]), timeout: .seconds(Int64.max))["y"]!.floats() == [2, 4])
        let delayed = batcher(RecordingModel(), ModelConfig(maxBatchSize: 4, maxQueueDelayMicroseconds: 10_000_000_000_000_000))
        let queued = Task { try await delayed.submit(request([5, 6]), timeout: .seconds(1 << 40)) }
        try await Task.sleep(for: .milliseconds(100))
        await delayed.close(reason: "closed")
        #expect(try await queued.value["y"]!.floats() == [10, 12])
    }
}
