import LeptonTensor

extension ImageExplainer {
    /// Gradient saliency (Simonyan et al.; Captum's `Saliency` with `abs=True`):
    /// |∂ score / ∂ input| for each input element.
    public func saliency(_ image: Tensor, target: Int? = nil) throws -> Attribution {
        let target = try resolve(image, target)
        let (scores, gradient) = try runner.gradients(image, target: target)
        return Attribution(method: .saliency, values: gradient.scalars.map { abs($0) },
                           shape: Self.sampleShape(image), target: target, score: scores[0])
    }

    /// SmoothGrad (Smilkov et al.; Captum's `NoiseTunnel(Saliency)`, `"smoothgrad"`): the
    /// saliency averaged over `samples` copies of the input with Gaussian noise of standard
    /// deviation `noise × (max − min)` of the input, drawn from `seed`.
    /// - Throws: ``ExplainError`` when `samples` is below 1 or `noise` is negative or not finite.
    public func smoothGrad(_ image: Tensor, target: Int? = nil, samples: Int = 25, noise: Float = 0.15,
                           seed: UInt64 = 0) throws -> Attribution {
        guard samples >= 1 else { throw ExplainError("SmoothGrad needs at least 1 sample, got \(samples)") }
        guard noise.isFinite, noise >= 0 else { throw ExplainError("SmoothGrad's noise must be a finite fraction ≥ 0, got \(noise)") }
        let target = try resolve(image, target)
        let values = image.scalars
        let range = (values.max() ?? 0) - (values.min() ?? 0)
        let sigma = noise * (range > 0 ? range : 1)
        var generator = RandomGenerator(seed: seed)
        let n = values.count
        var mean = [Float](repeating: 0, count: n)
        // A batch of noisy copies at a time: memory stays bounded however many samples are asked.
        for chunk in runner.ranges(samples) {
            var noisy = [Float]()
            noisy.reserveCapacity(chunk.count * n)
            for _ in chunk {
                for v in values { noisy.append(v + sigma * generator.nextNormal()) }
            }
            let batch = Tensor(noisy, shape: [chunk.count] + Self.sampleShape(image))
            let gradient = try runner.gradients(batch, target: target).gradient.scalars
            for s in 0..<chunk.count {
                for i in 0..<n { mean[i] += abs(gradient[s * n + i]) }
            }
        }
        let score = try runner.scores(image, target: target)[0]
        return Attribution(method: .smoothgrad, values: mean.map { $0 / Float(samples) },
                           shape: Self.sampleShape(image), target: target, score: score)
    }

    /// Integrated Gradients (Sundararajan et al.; Captum's `IntegratedGradients`):
    /// `(x − baseline) · ∫₀¹ ∂F(baseline + α(x − baseline)) / ∂x dα`, the integral approximated
    /// by `rule` with `steps` points. The result carries the completeness error
    /// |Σ attributions − (F(x) − F(baseline))|, which shrinks as `steps` grows.
    /// - Parameter baseline: the reference input, of the image's shape; zeros (black) by default.
    /// - Throws: ``ExplainError`` for too few steps or a baseline of another shape.
    public func integratedGradients(_ image: Tensor, target: Int? = nil, baseline: Tensor? = nil, steps: Int = 50,
                                    rule: IntegrationRule = .gaussLegendre) throws -> Attribution {
        let (alphas, weights) = try rule.nodes(steps: steps)
        let target = try resolve(image, target)
        let base = baseline ?? Tensor.zeros(like: image)
        guard base.shape == image.shape else {
            throw ExplainError("the baseline has shape \(base.shape), the image \(image.shape)")
        }
        let x = image.scalars, b = base.scalars, n = x.count
        var integral = [Double](repeating: 0, count: n)
        for chunk in runner.ranges(steps) {
            var path = [Float]()
            path.reserveCapacity(chunk.count * n)
            for step in chunk {
                let a = Float(alphas[step])
                for i in 0..<n { path.append(b[i] + a * (x[i] - b[i])) }
            }
            let gradient = try runner.gradients(Tensor(path, shape: [chunk.count] + Self.sampleShape(image)), target: target).gradient.scalars
            for (s, step) in chunk.enumerated() {
                let w = weights[step]
                for i in 0..<n { integral[i] += w * Double(gradient[s * n + i]) }
            }
        }
        let values = (0..<n).map { Float(integral[$0] * Double(x[$0] - b[$0])) }
        let ends = try runner.scores(Tensor.concatenate([image, base], axis: 0), target: target)
        let total = values.reduce(0.0) { $0 + Double($1) }
        let error = Float(abs(total - Double(ends[0] - ends[1])))
        return Attribution(method: .integratedGradients, values: values, shape: Self.sampleShape(image), target: target,
                           score: ends[0], completenessError: error)
    }
}
