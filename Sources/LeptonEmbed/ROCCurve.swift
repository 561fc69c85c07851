/// The receiver operating characteristic of a verifier that accepts a pair when its score is at
/// least a threshold: for every threshold, the share of genuine pairs (same identity) accepted
/// (true accept rate, TAR) against the share of impostor pairs accepted (false accept rate, FAR).
public struct ROCCurve: Sendable, Equatable {
    /// One operating point: pairs scoring at least `threshold` are accepted.
    public struct Point: Sendable, Equatable {
        public let threshold: Double
        public let falseAcceptRate: Double
        public let trueAcceptRate: Double
    }

    /// From the strictest threshold (nothing accepted, FAR = TAR = 0) to the most lenient
    /// (everything accepted, FAR = TAR = 1); one point per distinct score.
    public let points: [Point]
    /// Area under the curve: the probability that a random genuine pair scores above a random
    /// impostor pair (ties count one half).
    public let auc: Double
    public let genuineCount: Int
    public let impostorCount: Int

    /// The curve of `genuine` and `impostor` pair scores (higher: more alike).
    /// - Throws: ``EmbedError`` when either list is empty or holds a NaN or infinity.
    public init(genuine: [Double], impostor: [Double]) throws {
        guard !genuine.isEmpty, !impostor.isEmpty else {
            throw EmbedError("ROC: expected at least one genuine and one impostor pair, got \(genuine.count) and \(impostor.count)")
        }
        guard (genuine + impostor).allSatisfy(\.isFinite) else { throw EmbedError("ROC: a pair's score is not a finite number") }
        let scored = (genuine.map { ($0, true) } + impostor.map { ($0, false) }).sorted { $0.0 > $1.0 }
        let (g, i) = (Double(genuine.count), Double(impostor.count))
        var points = [Point(threshold: .infinity, falseAcceptRate: 0, trueAcceptRate: 0)]
        var (accepted, falseAccepted, area) = (0.0, 0.0, 0.0)
        var index = 0
        while index < scored.count {
            let threshold = scored[index].0
            let (tar0, far0) = (accepted / g, falseAccepted / i)
            while index < scored.count, scored[index].0 == threshold {
                if scored[index].1 { accepted += 1 } else { falseAccepted += 1 }
                index += 1
            }
            let (tar, far) = (accepted / g, falseAccepted / i)
            area += (far - far0) * (tar + tar0) / 2
            points.append(Point(threshold: threshold, falseAcceptRate: far, trueAcceptRate: tar))
        }
        self.points = points
        auc = area
        genuineCount = genuine.count
        impostorCount = impostor.count
    }

    /// The most lenient operating point whose false accept rate is at most `far` — the threshold
    /// a verifier uses for that target (at least the strictest point, which accepts nothing).
    public func operatingPoint(falseAcceptRate far: Double) -> Point {
        points.last { $0.falseAcceptRate <= far } ?? points[0]
    }

    /// The true accept rate at the threshold chosen for a false accept rate of at most `far`.
    public func trueAcceptRate(atFalseAcceptRate far: Double) -> Double {
        operatingPoint(falseAcceptRate: far).trueAcceptRate
    }
}

/// An embedding, gallery or verification request that cannot be met: no pairs, a bad threshold,
/// an unknown identity, an embedding of the wrong width.
public struct EmbedError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
