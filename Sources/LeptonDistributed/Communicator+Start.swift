import LeptonNN
import LeptonTensor
import LeptonTrain

extension Communicator {
    /// What every strategy does before the first batch: compares fingerprints of the ranks'
    /// configuration, model (parameter names and shapes, optimizer), data (steps per epoch) and
    /// starting epoch, then copies rank 0's weights and buffers to every rank.
    /// - Parameters:
    ///   - context: the run `fit` is starting.
    ///   - configurationFingerprint: a hash of the config and options (``DataParallel/fingerprint(_:)``).
    ///   - strategy: the strategy and its settings in words ("data parallel"), compared too.
    /// - Throws: ``DistributedError`` naming the ranks that differ from rank 0, or a transport failure.
    public func startTogether(_ context: TrainingContext, configurationFingerprint: UInt64, strategy: String) throws {
        let model = context.model
        let named = model.namedParameters() + model.namedBuffers()
        let modelText = named.map { "\($0.0):\($0.1.dtype):\($0.1.shape)" }.joined(separator: ";")
            + "|optimizer:\(type(of: context.optimizer))|steps:\(context.stepsPerEpoch)|epochs:\(context.epochs)"
        try requireAgreement(configurationFingerprint, what: "configuration (the config file and the options given to train)")
        try requireAgreement(DataParallel.fingerprint(modelText), what: "model, optimizer or data (parameter names and shapes, steps per epoch)")
        try requireAgreement(UInt64(context.initialEpoch), what: "starting epoch (a backup one rank restored and another did not find)")
        try requireAgreement(DataParallel.fingerprint(strategy), what: "distribution strategy (every rank must use the same)")
        // Rank 0's weights (and buffers) everywhere.
        let tensors = named.map(\.1).filter { $0.dtype == .float32 }
        var values = FlatTensors.gather(tensors)
        try broadcast(&values, root: 0)
        FlatTensors.scatter(values, into: tensors)
    }

    /// Throws naming the ranks whose `value` differs from rank 0's.
    private func requireAgreement(_ value: UInt64, what: String) throws {
        let differing = try ranksDiffering(from: value)
        guard differing.isEmpty else {
            throw DistributedError("the ranks disagree on the \(what): rank(s) \(differing.map(String.init).joined(separator: ", ")) "
                                   + "differ from rank 0; every rank must run the same config and data")
        }
    }
}

/// Float32 tensors laid end to end in one array, and back (weights and gradients on the wire).
enum FlatTensors {
    /// The tensors' elements, one after the other.
    static func gather(_ tensors: [Tensor]) -> [Float] {
        var values = [Float](repeating: 0, count: tensors.reduce(0) { $0 + $1.count })
        values.withUnsafeMutableBufferPointer { write(tensors, into: $0) }
        return values
    }

    /// Copies the tensors' elements into `buffer`, one after the other (it holds them all).
    static func write(_ tensors: [Tensor], into buffer: UnsafeMutableBufferPointer<Float>) {
        guard var target = buffer.baseAddress else { return }
        for tensor in tensors {
            target.update(from: tensor.floats, count: tensor.count)
            target += tensor.count
        }
    }

    /// Copies consecutive pieces of `values` into the tensors, in order.
    static func scatter(_ values: [Float], into tensors: [Tensor]) {
        values.withUnsafeBufferPointer { buffer in
            guard var source = buffer.baseAddress else { return }
            for tensor in tensors {
                tensor.floats.update(from: source, count: tensor.count)
                source += tensor.count
            }
        }
    }
}
