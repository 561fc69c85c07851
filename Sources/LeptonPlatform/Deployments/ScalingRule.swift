import Foundation

/// When a deployment adds and removes replicas: a target load per replica (requests per second
/// and/or requests in flight), how long a recommendation must hold before it is acted on, and an
/// idle time after which it scales to zero.
///
/// ```swift
/// let rule = ScalingRule(targetRequestsPerSecond: 50, scaleToZeroAfterSeconds: 300)
/// ```
public struct ScalingRule: Codable, Sendable, Equatable {
    /// Requests per second one replica should take (nil: not a criterion).
    public var targetRequestsPerSecond: Double?
    /// Requests in flight (queued or running) one replica should hold (nil: not a criterion).
    public var targetQueueDepth: Double?
    /// Seconds a higher replica count must be recommended throughout before scaling up.
    public var scaleUpWindowSeconds: Double
    /// Seconds a lower replica count must be recommended throughout before scaling down.
    public var scaleDownWindowSeconds: Double
    /// Seconds without a request after which every replica stops (nil: never).
    public var scaleToZeroAfterSeconds: Double?

    /// The default scale-up window: 3 s.
    public static let defaultScaleUpWindow: Double = 3
    /// The default scale-down window: 30 s.
    public static let defaultScaleDownWindow: Double = 30

    /// Creates a rule.
    public init(targetRequestsPerSecond: Double? = nil, targetQueueDepth: Double? = nil,
                scaleUpWindowSeconds: Double = ScalingRule.defaultScaleUpWindow,
                scaleDownWindowSeconds: Double = ScalingRule.defaultScaleDownWindow, scaleToZeroAfterSeconds: Double? = nil) {
        self.targetRequestsPerSecond = targetRequestsPerSecond
        self.targetQueueDepth = targetQueueDepth
        self.scaleUpWindowSeconds = scaleUpWindowSeconds
        self.scaleDownWindowSeconds = scaleDownWindowSeconds
        self.scaleToZeroAfterSeconds = scaleToZeroAfterSeconds
    }

    /// Checks every number.
    /// - Throws: ``PlatformError`` (`badRequest`) naming the field, the value and the accepted range.
    public func validate() throws {
        for (field, value) in [("target_requests_per_second", targetRequestsPerSecond), ("target_queue_depth", targetQueueDepth)] {
            if let value, !(value > 0 && value <= 1_000_000) {
                throw PlatformError(.badRequest, "\(field) must be a number in (0, 1000000]; got \(value)")
            }
        }
        for (field, value) in [("scale_up_window_seconds", scaleUpWindowSeconds), ("scale_down_window_seconds", scaleDownWindowSeconds)] {
            guard value >= 0 && value <= 86_400 else {
                throw PlatformError(.badRequest, "\(field) must be seconds in [0, 86400]; got \(value)")
            }
        }
        if let idle = scaleToZeroAfterSeconds, !(idle >= 1 && idle <= 30 * 86_400) {
            throw PlatformError(.badRequest, "scale_to_zero_after_seconds must be seconds in [1, 2592000] (or absent: never); got \(idle)")
        }
    }
}
