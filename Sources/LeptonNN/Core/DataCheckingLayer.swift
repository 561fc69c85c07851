import LeptonTensor

/// A layer that can tell whether data read from outside fits it before it runs, so a job
/// refuses a dataset with an error instead of stopping the process in `forward` (ids beyond an
/// embedding table, for example). The training job asks the model's first layer about both splits.
public protocol DataCheckingLayer {
    /// Checks `input` (a whole split, as the first layer would receive it).
    /// - Throws: ``ConfigError`` naming `what`, the offending value and the accepted range.
    func checkData(_ input: Tensor, what: String) throws
}

extension MatrixFactorization: DataCheckingLayer {
    public func checkData(_ input: Tensor, what: String) throws {
        guard input.dtype == .int32, input.rank == 2, input.shape[1] == 2 else {
            throw ConfigError("\(what): MatrixFactorization takes int32 [samples, 2] (user, item) ids; the data is \(input.dtype) \(input.shape)")
        }
        for (k, id) in input.int32Scalars.enumerated() {
            let bound = k % 2 == 0 ? users : items
            guard id >= 0, Int(id) <= bound else {
                throw ConfigError("\(what): \(k % 2 == 0 ? "user" : "item") id \(id) of sample \(k / 2) is outside 0...\(bound) (the layer's \(k % 2 == 0 ? "users" : "items"): \(bound))")
            }
        }
    }
}

extension Embedding: DataCheckingLayer {
    public func checkData(_ input: Tensor, what: String) throws {
        guard input.dtype == .int32 else {
            throw ConfigError("\(what): Embedding takes int32 token ids; the data is \(input.dtype) \(input.shape)")
        }
        if let bad = input.int32Scalars.firstIndex(where: { $0 < 0 || Int($0) >= vocabularySize }) {
            throw ConfigError("\(what): token id \(input.int32Scalars[bad]) at index \(bad) is outside 0..<\(vocabularySize) (the Embedding's vocabulary_size)")
        }
    }
}
