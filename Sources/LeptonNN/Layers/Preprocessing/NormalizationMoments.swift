import LeptonTensor

extension Normalization {
    /// The running mean and variance per feature of batches seen one after another (Chan et al.'s
    /// pairwise update, in double precision), so that ``Normalization`` can
    /// learn from data larger than memory, a batch at a time, as Keras's `adapt` on a dataset does.
    ///
    /// ```swift
    /// var moments = Normalization.Moments(axis: -1)
    /// for batch in batches { try moments.add(batch) }
    /// try norm.adapt(moments)
    /// ```
    public struct Moments: Sendable {
        /// The feature axis (as ``Normalization/axis``); nil: one statistic over all values.
        public let axis: Int?
        /// Values seen per feature.
        public private(set) var count = 0
        private var mean: [Double] = []
        private var m2: [Double] = []
        private var sampleShape: [Int]?

        /// No values seen yet.
        public init(axis: Int?) { self.axis = axis }

        /// Adds the values of `batch` (samples along axis 0; every batch of one sample shape).
        /// - Throws: ``ConfigError`` when the feature axis is out of range for the batch or the
        ///   batch's sample shape differs from the first batch's.
        public mutating func add(_ batch: Tensor) throws {
            guard batch.rank >= 1 else { throw ConfigError("Normalization.adapt: expected samples, got shape \(batch.shape)") }
            let shape = Array(batch.shape.dropFirst())
            if let sampleShape, sampleShape != shape {
                throw ConfigError("Normalization.adapt: a batch of samples \(shape) after samples \(sampleShape)")
            }
            var features = 1, stride = 1
            if let axis {
                let a = axis < 0 ? axis + batch.rank : axis
                guard a >= 1, a < batch.rank else {
                    throw ConfigError("Normalization.adapt: axis \(axis) is not a feature axis of data of shape \(batch.shape)")
                }
                features = batch.shape[a]
                stride = batch.shape[(a + 1)...].reduce(1, *)
            }
            sampleShape = shape
            guard batch.count > 0 else { return }
            let values = (batch.dtype == .float32 ? batch : batch.cast(to: .float32)).scalars
            let n = values.count / features
            var batchMean = [Double](repeating: 0, count: features), batchM2 = batchMean
            for (i, v) in values.enumerated() { batchMean[(i / stride) % features] += Double(v) }
            for f in 0..<features { batchMean[f] /= Double(n) }
            for (i, v) in values.enumerated() {
                let f = (i / stride) % features, d = Double(v) - batchMean[f]
                batchM2[f] += d * d
            }
            if count == 0 {
                (mean, m2, count) = (batchMean, batchM2, n)
                return
            }
            let total = count + n
            for f in 0..<features {
                let delta = batchMean[f] - mean[f]
                mean[f] += delta * Double(n) / Double(total)
                m2[f] += batchM2[f] + delta * delta * Double(count) * Double(n) / Double(total)
            }
            count = total
        }

        /// The mean and (population) variance per feature.
        var statistics: (mean: [Float], variance: [Float]) {
            (mean.map(Float.init), m2.map { Float($0 / Double(count)) })
        }
    }

    /// Takes the mean and variance that `moments` gathered.
    /// - Throws: ``ConfigError`` when no values were seen or the moments are over another axis.
    public func adapt(_ moments: Moments) throws {
        guard moments.count > 0 else { throw ConfigError("Normalization.adapt: no samples to learn a mean and variance from") }
        guard moments.axis == axis else {
            throw ConfigError("Normalization.adapt: moments over axis \(moments.axis.map(String.init) ?? "nil"), the layer normalises over \(axis.map(String.init) ?? "nil")")
        }
        let (m, v) = moments.statistics
        setStatistics(mean: Tensor(m, shape: [m.count]), variance: Tensor(v, shape: [v.count]))
    }
}
