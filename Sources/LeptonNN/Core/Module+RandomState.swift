import LeptonTensor

/// A module that draws random numbers while it trains (dropout masks) from a generator of its
/// own. Checkpoints save and restore these generators, so a resumed run draws the same masks as
/// an uninterrupted one.
public protocol RandomStateful: Module {
    /// The module's generator, as it stands now.
    var randomState: RandomGenerator { get set }
}

extension Module {
    /// The generator of every ``RandomStateful`` module in the tree, by dotted path (`""` for
    /// this module itself, `"layers.2"` for a child), in tree order.
    public func randomStates() -> [(String, RandomGenerator)] {
        namedModules().compactMap { path, module in (module as? any RandomStateful).map { (path, $0.randomState) } }
    }

    /// Sets the generators saved by ``randomStates()``.
    /// - Throws: ``StateDictError`` naming every path that is missing or names no
    ///   ``RandomStateful`` module; nothing is changed when it throws.
    public func loadRandomStates(_ states: [String: RandomGenerator]) throws {
        let own = namedModules().compactMap { path, module in (module as? any RandomStateful).map { (path, $0) } }
        let ownPaths = Set(own.map(\.0))
        let missing = own.map(\.0).filter { states[$0] == nil }
        let unexpected = states.keys.filter { !ownPaths.contains($0) }.sorted()
        guard missing.isEmpty && unexpected.isEmpty else {
            var problems: [String] = []
            if !missing.isEmpty { problems.append("missing: \(missing.map { $0.isEmpty ? "<model>" : $0 }.joined(separator: ", "))") }
            if !unexpected.isEmpty { problems.append("unexpected: \(unexpected.joined(separator: ", "))") }
            throw StateDictError(description: "random generator states do not match the module: " + problems.joined(separator: "; "))
        }
        for (path, module) in own { module.randomState = states[path]! }
    }
}
