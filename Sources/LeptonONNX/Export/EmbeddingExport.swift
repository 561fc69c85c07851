import LeptonNN
import LeptonTensor

/// `Embedding` as ONNX `Gather` of the table's rows by the (`INT32`) token ids.
struct EmbeddingConverter: ONNXLayerConverter {
    let layerTypes: [Module.Type] = [Embedding.self]

    func convert(_ layer: Module, _ step: ONNXLayerStep) throws -> String {
        step.graph.gather((layer as! Embedding).weight, name: "weight", indices: step.input)
    }
}

/// `MatrixFactorization`: `μ + b_user + b_item + ⟨p_user, q_item⟩` from `[batch, 2]` ids, as
/// `Gather`s of the user and item columns and of the four tables, `Mul`, `ReduceSum` and the
/// sums in Lepton's order.
struct MatrixFactorizationConverter: ONNXLayerConverter {
    let layerTypes: [Module.Type] = [MatrixFactorization.self]

    func convert(_ layer: Module, _ step: ONNXLayerStep) throws -> String {
        let mf = layer as! MatrixFactorization
        let g = step.graph
        let user = g.node("Gather", [step.input, g.int64s([0], name: "user_column", scalar: true)], .int("axis", 1))
        let item = g.node("Gather", [step.input, g.int64s([1], name: "item_column", scalar: true)], .int("axis", 1))
        let product = g.node("Mul", [g.gather(mf.userFactors, name: "userFactors", indices: user),
                                     g.gather(mf.itemFactors, name: "itemFactors", indices: item)])
        let dot = g.node("ReduceSum", [product, g.ints([-1], name: "axes")], .int("keepdims", 1))
        let withUser = g.node("Add", [dot, g.gather(mf.userBias, name: "userBias", indices: user)])
        let withItem = g.node("Add", [withUser, g.gather(mf.itemBias, name: "itemBias", indices: item)])
        return g.node("Add", [withItem, g.initializer(mf.globalMean, name: "globalMean")])
    }
}

extension ONNXGraphBuilder {
    /// Rows of `table` (an initializer `scope.name`) picked by `indices`: `Gather` on axis 0.
    public func gather(_ table: Tensor, name: String, indices: String) -> String {
        node("Gather", [initializer(table, name: name), indices], .int("axis", 0))
    }
}
