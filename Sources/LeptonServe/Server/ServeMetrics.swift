import Foundation
import Prometheus

/// The server's Prometheus metrics: inference requests, queue and compute times and batch sizes
/// per model version, beside Hummingbird's HTTP request metrics (through swift-metrics).
///
/// `GET /metrics` returns ``registry`` in Prometheus's text format.
public final class ServeMetrics: Sendable {
    /// The registry the metrics live in.
    public let registry: PrometheusCollectorRegistry

    /// Creates the metrics in `registry`.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    private static let secondBuckets: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
    private static let sizeBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256]

    func recordRequest(model: String, version: String, success: Bool, ns: UInt64) {
        let labels = [("model", model), ("version", version), ("status", success ? "success" : "failure")]
        registry.makeCounter(name: "lepton_inference_requests_total", labels: labels,
                             help: "Inference requests answered, by model, version and outcome").increment()
        registry.makeValueHistogram(name: "lepton_inference_request_duration_seconds", labels: [("model", model), ("version", version)],
                                    buckets: Self.secondBuckets,
                                    help: "Time from queueing to answer of inference requests").record(Double(ns) / 1e9)
    }

    func recordQueue(model: String, version: String, ns: UInt64) {
        registry.makeValueHistogram(name: "lepton_inference_queue_duration_seconds", labels: [("model", model), ("version", version)],
                                    buckets: Self.secondBuckets,
                                    help: "Time inference requests waited for a batch").record(Double(ns) / 1e9)
    }

    func recordBatch(model: String, version: String, rows: Int, inferNs: UInt64) {
        let labels = [("model", model), ("version", version)]
        registry.makeValueHistogram(name: "lepton_inference_batch_size", labels: labels, buckets: Self.sizeBuckets,
                                    help: "Samples per forward pass").record(Double(rows))
        registry.makeValueHistogram(name: "lepton_inference_compute_duration_seconds", labels: labels, buckets: Self.secondBuckets,
                                    help: "Duration of forward passes").record(Double(inferNs) / 1e9)
        registry.makeCounter(name: "lepton_inference_samples_total", labels: labels,
                             help: "Samples inferred").increment(by: Int64(rows))
    }

    /// Sets the number of requests waiting in a model's queue.
    func setQueueDepth(model: String, version: String, depth: Int) {
        registry.makeGauge(name: "lepton_inference_queue_depth", labels: [("model", model), ("version", version)],
                           help: "Inference requests waiting in the queue").set(to: Double(depth))
    }

    /// The metrics in Prometheus's text exposition format.
    public func exposition() -> String { registry.emitToString() }
}
