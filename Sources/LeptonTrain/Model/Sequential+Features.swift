import LeptonNN
import LeptonTensor

extension Sequential {
    /// A model of this model's layers up to and including the one called `name`, sharing the
    /// layer objects (and so their weights, and any later training) — Keras's
    /// `Model(inputs=model.inputs, outputs=model.get_layer(name).output)`.
    ///
    /// Unnamed shared layers are given the name they have in this model, so the names stay the
    /// same in both models.
    ///
    /// ```swift
    /// let backbone = try model.featureExtractor(upTo: "flatten")
    /// let features = backbone.predict(images)          // [N, flattened features]
    /// ```
    /// - Throws: ``TrainingError`` listing the model's layer names when none is called `name`.
    public func featureExtractor(upTo name: String) throws -> Sequential {
        let index = try layerIndex(named: name)
        let names = layerNames
        for (layer, layerName) in zip(layers[...index], names) where layer.name == nil { layer.name = layerName }
        return Sequential(Array(layers[...index]))
    }

    /// The outputs of the layer called `name` for the samples `x` (axis 0), computed in batches
    /// in evaluation mode without recording gradients, as ``Model/predict(_:batchSize:)`` does.
    /// Each layer's training mode is restored afterwards.
    ///
    /// ```swift
    /// let embeddings = try model.extractFeatures(images, upTo: "dense")   // [N, 128]
    /// ```
    /// - Throws: ``TrainingError`` listing the model's layer names when none is called `name`,
    ///   or when `x` has no samples or `batchSize` is not positive.
    public func extractFeatures(_ x: Tensor, upTo name: String, batchSize: Int = 32) throws -> Tensor {
        let index = try layerIndex(named: name)
        guard x.rank >= 1, x.shape[0] > 0 else {
            throw TrainingError("extractFeatures: expected one or more samples along axis 0, got shape \(x.shape)")
        }
        guard batchSize > 0 else { throw TrainingError("extractFeatures: batchSize must be positive, got \(batchSize)") }
        let prefix = Array(layers[...index])
        // Every module's own mode, in pre-order, so that restoring a parent does not undo a child.
        let modes = prefix.flatMap { $0.namedModules() }.map { ($0.1, $0.1.isTraining) }
        prefix.forEach { $0.eval() }
        defer { for (module, training) in modes { module.train(training) } }
        return Tensor.withoutGrad {
            var outputs: [Tensor] = []
            for start in stride(from: 0, to: x.shape[0], by: batchSize) {
                let batch = x.slice(axis: 0, start: start, end: min(start + batchSize, x.shape[0]))
                outputs.append(prefix.reduce(batch) { $1($0) })
            }
            return outputs.count == 1 ? outputs[0] : Tensor.concatenate(outputs, axis: 0)
        }
    }
}
