import Foundation
import Prometheus

extension PlatformMetrics {
    static let deploymentRequests = MetricNameDescriptor(metricName: "lepton_deployment_requests_total", unitName: "",
                                                         helpText: "Inference requests through the deployment router, by deployment and status")
    static let deploymentDurations = MetricNameDescriptor(metricName: "lepton_deployment_request_duration_seconds", unitName: "",
                                                          helpText: "Time to answer inference requests through the deployment router (replica included)")

    /// Counts one request the deployment router answered and its duration.
    func recordInference(deployment: String, status: Int, seconds: Double) {
        registry.makeCounter(descriptor: Self.deploymentRequests, labels: [("deployment", deployment), ("status", String(status))]).increment()
        registry.makeValueHistogram(descriptor: Self.deploymentDurations, labels: [("deployment", deployment)], buckets: Self.secondBuckets)
            .record(seconds)
    }
}
