import LeptonTensor

/// A mismatch between a state dictionary and a module.
public struct StateDictError: Error, CustomStringConvertible, Equatable {
    /// What did not match: missing and unexpected names, or shape/dtype differences.
    public let description: String
}

extension Module {
    /// All parameters and buffers by dotted name, in a stable order (the tensors themselves,
    /// not copies: use ``loadStateDict(_:strict:)`` to write).
    public func stateDict() -> [(String, Tensor)] {
        namedParameters() + namedBuffers()
    }

    /// Copies values into this module's parameters and buffers by name.
    ///
    /// - Parameter strict: names must match exactly (otherwise missing names are left as they are
    ///   and unknown names ignored). Shapes and dtypes must always match.
    /// - Throws: ``StateDictError`` naming every missing or unexpected entry and every shape
    ///   mismatch; nothing is written when it throws.
    public func loadStateDict(_ state: [String: Tensor], strict: Bool = true) throws {
        let own = stateDict()
        let ownNames = Set(own.map(\.0))
        var problems: [String] = []
        if strict {
            let missing = own.map(\.0).filter { state[$0] == nil }
            let unexpected = state.keys.filter { !ownNames.contains($0) }.sorted()
            if !missing.isEmpty { problems.append("missing: \(missing.joined(separator: ", "))") }
            if !unexpected.isEmpty { problems.append("unexpected: \(unexpected.joined(separator: ", "))") }
        }
        for (name, tensor) in own {
            guard let value = state[name] else { continue }
            if value.shape != tensor.shape || value.dtype != tensor.dtype {
                problems.append("\(name): expected \(tensor.dtype) \(tensor.shape), got \(value.dtype) \(value.shape)")
            }
        }
        guard problems.isEmpty else { throw StateDictError(description: "state dict does not match the module: " + problems.joined(separator: "; ")) }
        for (name, tensor) in own {
            if let value = state[name] { tensor.assign(value) }
        }
    }
}
