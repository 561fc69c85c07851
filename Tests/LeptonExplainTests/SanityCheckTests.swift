import LeptonExplain
import LeptonTensor
import Testing

/// The model-randomisation sanity check of Adebayo et al. (2018): a method whose maps barely
/// change when the trained weights are replaced by random ones explains the input, not the model.
@Suite struct SanityCheckTests {
    @Test(arguments: [AttributionMethod.saliency, .integratedGradients, .gradcam])
    func randomizingTheWeightsChangesTheMaps(method: AttributionMethod) throws {
        let (model, trained) = try ExplainTestModels.trainedMNIST()
        let images = (0..<5).map { ExplainTestModels.image(trained, $0) }
        func maps() throws -> [[Float]] {
            let explainer = ImageExplainer(model)
            return try images.map { image in
                switch method {
                case .saliency: return try explainer.saliency(image).pixelMap
                case .integratedGradients: return try explainer.integratedGradients(image, steps: 16).pixelMap
                default: return try explainer.gradCAM(image).pixelMap
                }
            }
        }
        let before = try maps()
        ExplainTestModels.randomizeWeights(model, seed: 99)
        let after = try maps()
        // Integrated Gradients are (x − 0) · (mean gradient): zero on the black background whatever the
        // weights, and those ties alone would correlate any two maps. Ranks are compared on the
        // digit's pixels (x ≠ baseline), for every method alike.
        let correlations = zip(images, zip(before, after)).map { image, maps in
            let stroke = image.scalars.indices.filter { image.scalars[$0] != 0 }
            return AttributionMetrics.spearman(stroke.map { abs(maps.0[$0]) }, stroke.map { abs(maps.1[$0]) })
        }
        let mean = correlations.reduce(0, +) / Double(correlations.count)
        #expect(mean < 0.5, "\(method): Spearman ρ of |map| before and after randomisation \(correlations)")
    }

    @Test func spearmanIsOneForTheSameOrderAndMinusOneReversed() {
        #expect(abs(AttributionMetrics.spearman([1, 2, 3, 4], [10, 20, 30, 400]) - 1) < 1e-12)
        #expect(abs(AttributionMetrics.spearman([1, 2, 3, 4], [4, 3, 2, 1]) + 1) < 1e-12)
        #expect(AttributionMetrics.spearman([1, 1, 1], [1, 2, 3]) == 0)
    }
}
