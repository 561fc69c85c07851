import LeptonExplain
import LeptonTensor
import Testing

/// The deletion metric (Petsiuk et al.) on a CNN trained for a few seconds on MNIST: removing
/// the most attributed pixels first must lower the class score faster than removing random pixels.
@Suite struct DeletionTests {
    @Test(arguments: [AttributionMethod.integratedGradients, .saliency])
    func deletingTheMostAttributedPixelsFirstDropsTheScoreFaster(method: AttributionMethod) throws {
        let (model, trained) = try ExplainTestModels.trainedMNIST()
        let explainer = ImageExplainer(model)
        var generator = RandomGenerator(seed: 12)
        var attributed = 0.0, random = 0.0
        let count = 10
        for i in 0..<count {
            let image = ExplainTestModels.image(trained, i)
            let attribution = try method == .saliency ? explainer.saliency(image) : explainer.integratedGradients(image, steps: 16)
            let order = AttributionMetrics.order(attribution.pixelMap)
            var shuffled = Array(0..<order.count)
            shuffled.shuffle(using: &generator)
            attributed += try AttributionMetrics.area(AttributionMetrics.deletionCurve(
                explainer.runner, image: image, target: attribution.target, order: order))
            random += try AttributionMetrics.area(AttributionMetrics.deletionCurve(
                explainer.runner, image: image, target: attribution.target, order: shuffled))
        }
        #expect(attributed < random, "\(method): mean deletion AUC \(attributed / Double(count)) vs random \(random / Double(count))")
    }

    @Test func theDeletionCurveStartsAtTheScoreAndEndsAtTheBlankImage() throws {
        let model = ExplainTestModels.smallCNN(seed: 13)
        let runner = ModelRunner(model)
        let image = Tensor.ones([1, 8, 8, 2])
        let curve = try AttributionMetrics.deletionCurve(runner, image: image, target: 0, order: Array(0..<64), steps: 4)
        let ends = try runner.scores(Tensor.concatenate([image, Tensor.zeros([1, 8, 8, 2])], axis: 0), target: 0)
        #expect(curve.count == 5 && abs(curve[0] - ends[0]) < 1e-6 && abs(curve[4] - ends[1]) < 1e-6)
        #expect(AttributionMetrics.area([1, 1, 1]) == 1 && AttributionMetrics.area([1, 0]) == 0.5)
    }
}
