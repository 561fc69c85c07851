import LeptonTensor

/// A recommender's rating model: `rating ≈ μ + b_user + b_item + ⟨p_user, q_item⟩`, with
/// user and item embeddings and biases (the classic matrix factorisation of Koren et al.).
///
/// Input is `int32` `[batch, 2]` (user id, item id); output `[batch, 1]`. Ids run from 0 to
/// `users`/`items` inclusive, so 1-based MovieLens ids fit directly.
public final class MatrixFactorization: Module {
    public let users: Int
    public let items: Int
    public let factors: Int
    /// The global mean rating μ (set from the training data, not trained).
    public let globalMean: Tensor
    public let userFactors: Tensor
    public let itemFactors: Tensor
    public let userBias: Tensor
    public let itemBias: Tensor

    public override var bufferNames: Set<String> { ["globalMean"] }

    public init(users: Int, items: Int, factors: Int, globalMean: Float = 0, initialStd: Float = 0.05) {
        layerRequire(users > 0 && items > 0 && factors > 0, "MatrixFactorization: users, items and factors must be positive")
        self.users = users
        self.items = items
        self.factors = factors
        self.globalMean = Tensor([globalMean], shape: [1])
        userFactors = Initializer.normal(mean: 0, std: initialStd).make([users + 1, factors]).requiringGrad()
        itemFactors = Initializer.normal(mean: 0, std: initialStd).make([items + 1, factors]).requiringGrad()
        userBias = Tensor.zeros([users + 1, 1]).requiringGrad()
        itemBias = Tensor.zeros([items + 1, 1]).requiringGrad()
    }

    public override func forward(_ input: Tensor) -> Tensor {
        layerRequire(input.dtype == .int32 && input.rank == 2 && input.shape[1] == 2,
                     "MatrixFactorization: expected int32 [batch, 2] (user, item) ids, got \(input.dtype) \(input.shape)")
        let ids = input.int32Scalars
        for (k, id) in ids.enumerated() {
            let bound = k % 2 == 0 ? users : items
            layerRequire(id >= 0 && Int(id) <= bound, "MatrixFactorization: \(k % 2 == 0 ? "user" : "item") id \(id) is outside 0...\(bound)")
        }
        let user = input.slice([.all, .at(0)]), item = input.slice([.all, .at(1)])
        let p = Tensor.embedding(userFactors, user), q = Tensor.embedding(itemFactors, item)
        let dot = (p * q).sum(axis: -1, keepDims: true)
        return dot + Tensor.embedding(userBias, user).reshape([-1, 1]) + Tensor.embedding(itemBias, item).reshape([-1, 1]) + globalMean
    }

    /// Predicted ratings of every item for one user, `[items + 1]` (index = item id).
    public func scores(user: Int) -> Tensor {
        Tensor.withoutGrad {
            let u = userFactors.slice([.at(user)])
            return itemFactors.matmul(u) + itemBias.reshape([-1]) + userBias.slice([.at(user)]) + globalMean
        }
    }
}

extension MatrixFactorization: ConfigurableLayer {
    public static let typeName = "MatrixFactorization"
    public static let configKeys = ["users", "items", "factors", "global_mean"]
    public convenience init(config c: ConfigReader) throws {
        let users = try c.requiredSize("users"), items = try c.requiredSize("items"), factors = try c.requiredSize("factors")
        try c.checkWeights([[users + 1, factors], [items + 1, factors], [users + 1, 1], [items + 1, 1], [1]], sizedBy: "factors")
        self.init(users: users, items: items, factors: factors, globalMean: try c.finiteFloat("global_mean", default: 0))
    }
    public var config: [String: ConfigValue] {
        ["users": .int(users), "items": .int(items), "factors": .int(factors), "global_mean": .float(globalMean.item())]
    }
}
