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

    static let secondBuckets: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
    static let sizeBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256]

    /// The metrics of one model version, looked up once when the version is loaded.
    func handles(model: String, version: String) -> ModelMetricHandles {
        ModelMetricHandles(registry: registry, labels: [("model", model), ("version", version)])
    }

    /// The metrics in Prometheus's text exposition format.
    public func exposition() -> String { registry.emitToString() }
}

/// One model version's Prometheus metrics (counters, histograms and the queue gauge).
struct ModelMetricHandles: Sendable {
    let successes: Counter
    let failures: Counter
    let samples: Counter
    let requestDuration: ValueHistogram
    let queueDuration: ValueHistogram
    let computeDuration: ValueHistogram
    let batchSize: ValueHistogram
    let queueDepth: Gauge

    init(registry: PrometheusCollectorRegistry, labels: [(String, String)]) {
        /// A metric's full name (no separate unit suffix) and help text.
        func named(_ name: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
        }
        let requests = named("lepton_inference_requests_total", "Inference requests answered, by model, version and outcome")
        successes = registry.makeCounter(descriptor: requests, labels: labels + [("status", "success")])
        failures = registry.makeCounter(descriptor: requests, labels: labels + [("status", "failure")])
        samples = registry.makeCounter(descriptor: named("lepton_inference_samples_total", "Samples inferred"), labels: labels)
        requestDuration = registry.makeValueHistogram(
            descriptor: named("lepton_inference_request_duration_seconds", "Time from queueing to answer of inference requests"),
            labels: labels, buckets: ServeMetrics.secondBuckets)
        queueDuration = registry.makeValueHistogram(
            descriptor: named("lepton_inference_queue_duration_seconds", "Time inference requests waited for a batch"),
            labels: labels, buckets: ServeMetrics.secondBuckets)
        computeDuration = registry.makeValueHistogram(
            descriptor: named("lepton_inference_compute_duration_seconds", "Duration of forward passes"),
            labels: labels, buckets: ServeMetrics.secondBuckets)
        batchSize = registry.makeValueHistogram(descriptor: named("lepton_inference_batch_size", "Samples per forward pass"),
                                                labels: labels, buckets: ServeMetrics.sizeBuckets)
        queueDepth = registry.makeGauge(descriptor: named("lepton_inference_queue_depth", "Inference requests waiting in the queue"),
                                        labels: labels)
    }

    func recordRequest(success: Bool, ns: UInt64) {
        (success ? successes : failures).increment()
        requestDuration.record(Double(ns) / 1e9)
    }

    func recordQueue(ns: UInt64) { queueDuration.record(Double(ns) / 1e9) }

    func recordBatch(rows: Int, inferNs: UInt64) {
        batchSize.record(Double(rows))
        computeDuration.record(Double(inferNs) / 1e9)
        samples.increment(by: Int64(rows))
    }
}
