import LeptonTensor

/// A source of samples by index (`torch.utils.data.Dataset`): each sample is a list of
/// tensors (for example an image and its label), without the batch axis. Reading a sample may
/// fail (a corrupt file in a streamed folder): the error names the file, and a ``DataLoader``
/// hands it to whoever iterates it.
public protocol Dataset {
    /// Number of samples.
    var count: Int { get }
    /// The sample at `index`, one tensor per field.
    func sample(at index: Int) throws -> [Tensor]
    /// The samples at `indices`, stacked along a new batch axis (the default stacks ``sample(at:)``).
    func batch(_ indices: [Int]) throws -> [Tensor]
}

extension Dataset {
    public func batch(_ indices: [Int]) throws -> [Tensor] {
        let samples = try indices.map(sample(at:))
        guard let first = samples.first else { return [] }
        return (0..<first.count).map { field in Tensor.stack(samples.map { $0[field] }, axis: 0) }
    }
}

/// Samples held in tensors whose first axis indexes samples (`TensorDataset`).
///
/// ```swift
/// let data = try TensorDataset(images, labels)
/// let loader = DataLoader(data, batchSize: 64, shuffle: true, seed: 1)
/// ```
public struct TensorDataset: Dataset {
    /// The fields, each `[count, …]`.
    public let tensors: [Tensor]

    /// - Throws: ``DataError`` when the tensors hold different numbers of samples.
    public init(_ tensors: Tensor...) throws { try self.init(tensors) }

    public init(_ tensors: [Tensor]) throws {
        guard let first = tensors.first, first.rank >= 1 else {
            throw DataError("TensorDataset needs at least one tensor with a sample axis")
        }
        for t in tensors where t.rank < 1 || t.shape[0] != first.shape[0] {
            throw DataError("TensorDataset: tensors hold different numbers of samples: \(tensors.map(\.shape))")
        }
        self.tensors = tensors
    }

    public var count: Int { tensors[0].shape[0] }

    public func sample(at index: Int) -> [Tensor] {
        tensors.map { $0.slice([.at(index)]) }
    }

    /// The rows at `indices`: a view of consecutive rows when they run in order, a gathered copy otherwise.
    public func batch(_ indices: [Int]) -> [Tensor] {
        if let first = indices.first, indices.last == first + indices.count - 1,
           indices.indices.allSatisfy({ indices[$0] == first + $0 }) {
            return tensors.map { $0.slice(axis: 0, start: first, end: first + indices.count).detach() }
        }
        let index = Tensor(indices: indices)
        return tensors.map { $0.detach().indexSelect(axis: 0, index) }
    }
}

/// Splits `count` sample indices into consecutive parts of the given fractions after a seeded
/// shuffle (train/validation/test splits).
///
/// ```swift
/// let parts = randomSplit(count: 10_000, fractions: [0.8, 0.2], seed: 42)  // two index lists
/// ```
public func randomSplit(count: Int, fractions: [Double], seed: UInt64) -> [[Int]] {
    checkPrecondition(fractions.allSatisfy { $0 >= 0 } && abs(fractions.reduce(0, +) - 1) < 1e-6,
                 "randomSplit: fractions \(fractions) must be non-negative and add up to 1")
    var rng = RandomGenerator(seed: seed)
    var order = Array(0..<count)
    order.shuffle(using: &rng)
    var parts: [[Int]] = []
    var start = 0
    for (i, f) in fractions.enumerated() {
        let end = i == fractions.count - 1 ? count : min(count, start + Int((Double(count) * f).rounded()))
        parts.append(Array(order[start..<end]))
        start = end
    }
    return parts
}
