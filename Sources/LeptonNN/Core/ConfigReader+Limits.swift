// Sizes and weights read from a configuration, held to LayerLimits before anything is allocated.

extension ConfigReader {
    /// An optional size (units, filters, a dimension): an integer from 1 to
    /// ``LayerLimits/maxTensorElements`` (no weight can hold more).
    public func size(_ name: String) throws -> Int? {
        guard let v = try int(name) else { return nil }
        let limit = LayerLimits.maxTensorElements
        guard v >= 1 else { throw ConfigError("\(key(name)): expected an integer ≥ 1, got \(v)") }
        guard v <= limit else {
            throw ConfigError("\(key(name)): expected an integer ≤ \(limit) (LayerLimits.maxTensorElements), got \(v)")
        }
        return v
    }

    /// A required size (see ``size(_:)``).
    public func requiredSize(_ name: String) throws -> Int {
        guard let v = try size(name) else { throw ConfigError("\(key(name)): missing (expected a positive integer)") }
        return v
    }

    /// A size with a default (see ``size(_:)``).
    public func size(_ name: String, default value: Int) throws -> Int {
        try size(name) ?? value
    }

    /// A positive, finite number.
    public func positiveFloat(_ name: String, default value: Float) throws -> Float {
        let v = try float(name, default: value)
        guard v > 0 && v.isFinite else { throw ConfigError("\(key(name)): expected a positive number, got \(v)") }
        return v
    }

    /// A finite number.
    public func finiteFloat(_ name: String, default value: Float) throws -> Float {
        let v = try float(name, default: value)
        guard v.isFinite else { throw ConfigError("\(key(name)): expected a finite number, got \(v)") }
        return v
    }

    /// Checks the weights a layer is about to create, `copies` times over: each tensor against
    /// ``LayerLimits/maxTensorElements`` and their total against ``parameterBudget``.
    /// - Throws: ``ConfigError`` naming `name` (the key that sized them) and the shapes.
    public func checkWeights(_ shapes: [[Int]], copies: Int = 1, sizedBy name: String) throws {
        var counts: [Int] = []
        for shape in shapes { counts.append(try LayerLimits.checkTensor(shape, "\(key(name)): a weight of shape")) }
        guard let one = LayerLimits.sum(counts), let total = LayerLimits.product([one, copies]), total <= parameterBudget else {
            throw ConfigError("\(key(name)): the layer's weights \(shapes)\(copies > 1 ? " × \(copies)" : "") exceed the "
                              + "\(parameterBudget) parameters left of LayerLimits.maxParameters (\(LayerLimits.maxParameters))")
        }
    }
}
