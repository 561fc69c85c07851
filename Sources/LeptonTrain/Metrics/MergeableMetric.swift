/// A metric whose state is a list of totals that add up across parts of the data, so that
/// data-parallel ranks can sum their totals and get the metric over all the data exactly
/// (``DistributionStrategy``). A metric that is not mergeable is combined as a mean weighted by
/// samples, which is exact for per-sample means and an approximation otherwise.
public protocol MergeableMetric: Metric {
    /// The accumulated totals (counts, sums), as many on every rank.
    var totals: [Double] { get }
    /// The metric's value from totals summed over parts of the data.
    func result(totals: [Double]) -> Float
}

extension Accuracy: MergeableMetric {
    public var totals: [Double] { [Double(correct), Double(total)] }
    public func result(totals: [Double]) -> Float { totals[1] == 0 ? 0 : Float(totals[0] / totals[1]) }
}

extension TopKAccuracy: MergeableMetric {
    public var totals: [Double] { [Double(correct), Double(total)] }
    public func result(totals: [Double]) -> Float { totals[1] == 0 ? 0 : Float(totals[0] / totals[1]) }
}

extension MeanErrorMetric: MergeableMetric {
    public var totals: [Double] { [sum, Double(count)] }
    public func result(totals: [Double]) -> Float { value(sum: totals[0], count: totals[1]) }
}

extension AUC: MergeableMetric {
    public var totals: [Double] { (positives + negatives).map(Double.init) }
    public func result(totals: [Double]) -> Float {
        let half = totals.count / 2
        return Self.area(positives: totals[..<half].map { Int($0) }, negatives: totals[half...].map { Int($0) })
    }
}
