import LeptonTensor

/// Checks a stack of registered layers against an input shape without building or running
/// anything: each layer's ``ConfigurableLayer/inferShape(_:)`` says what it would output (or
/// throws), every activation and weight is held to ``LayerLimits``, and the model's parameters
/// once built are counted. A model file that passes builds and runs without stopping the process.
public enum ShapeCheck {
    /// The spec of one sample batch `[1] + shape` for a model input stated in a file.
    /// - Throws: ``ConfigError`` naming `path` for a rank above ``LayerLimits/maxRank``, a
    ///   dimension below 1, or more elements than ``LayerLimits/maxTensorElements``.
    public static func input(shape: [Int], dtype: DType, path: String) throws -> TensorSpec {
        guard shape.count < LayerLimits.maxRank else {
            throw ConfigError("\(path): \(shape.count) dimensions; expected at most \(LayerLimits.maxRank - 1)")
        }
        if let bad = shape.firstIndex(where: { $0 < 1 }) {
            throw ConfigError("\(path)[\(bad)]: expected a positive dimension, got \(shape[bad]) (in \(shape))")
        }
        try LayerLimits.checkTensor(shape, "\(path): an input of shape")
        return TensorSpec(shape: [1] + shape, dtype: dtype)
    }

    /// Walks `layers` from `input`; returns the model's output and its parameter count once built.
    /// - Throws: ``ConfigError`` naming `path[i]`, the layer's type and the shapes involved.
    @discardableResult
    public static func check(_ layers: [Module], input: TensorSpec, path: String = "layers")
        throws -> (output: TensorSpec, parameters: Int) {
        var spec = input
        var total = 0
        for (i, module) in layers.enumerated() {
            let typeName = String(describing: type(of: module))
            let place = "\(path)[\(i)] (\(typeName))"
            guard let layer = module as? any ConfigurableLayer else {
                throw ConfigError("\(place): not a registered layer, so its shapes cannot be checked")
            }
            let step: ShapeInference
            do { step = try layer.inferShape(spec) } catch let error as ConfigError {
                throw ConfigError("\(place): \(error.description) (input \(spec))")
            }
            let output = step.output
            if let bad = output.shape.firstIndex(where: { $0 < 1 }) {
                throw ConfigError("\(place): the output would have an empty axis \(bad): \(output) from input \(spec)")
            }
            try LayerLimits.checkTensor(output.shape, "\(place): the output for input \(spec), of shape")
            guard let sum = LayerLimits.sum([total, module.parameterCount, step.parametersBuilt]),
                  sum <= LayerLimits.maxParameters else {
                throw ConfigError("\(place): the model would have more than \(LayerLimits.maxParameters) parameters "
                                  + "(LayerLimits.maxParameters) once built for input \(input)")
            }
            total = sum
            spec = output
        }
        return (spec, total)
    }
}
