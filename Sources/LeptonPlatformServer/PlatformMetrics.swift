import Foundation
import Prometheus

/// The platform server's Prometheus metrics: requests by method, route and status, and their
/// durations. `GET /metrics` returns them in the text exposition format.
public final class PlatformMetrics: Sendable {
    /// The registry the metrics live in.
    public let registry: PrometheusCollectorRegistry

    /// Creates the metrics in `registry`.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    static let requests = MetricNameDescriptor(metricName: "lepton_platform_requests_total", unitName: "",
                                               helpText: "Platform API requests answered, by method, route and status")
    static let durations = MetricNameDescriptor(metricName: "lepton_platform_request_duration_seconds", unitName: "",
                                                helpText: "Time to answer platform API requests")
    static let secondBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    /// Counts one answered request and its duration.
    func record(method: String, route: String, status: Int, seconds: Double) {
        let labels = [("method", method), ("route", route), ("status", String(status))]
        registry.makeCounter(descriptor: Self.requests, labels: labels).increment()
        registry.makeValueHistogram(descriptor: Self.durations, labels: [("method", method), ("route", route)], buckets: Self.secondBuckets)
            .record(seconds)
    }

    /// The metrics in Prometheus's text exposition format.
    public func exposition() -> String { registry.emitToString() }
}
