import Foundation
import LeptonExplain
import LeptonNN
import LeptonTensor
import Testing

@Suite struct ImageExplainerTests {
    @Test func integratedGradientsAreCompleteOnASmoothModel() throws {
        let model = ExplainTestModels.smallCNN(seed: 1, activation: .tanh)
        let image = ExplainTestModels.smallImage(seed: 2)
        let explainer = ImageExplainer(model)
        for rule in IntegrationRule.allCases {
            let ig = try explainer.integratedGradients(image, steps: 64, rule: rule)
            let ends = try explainer.runner.scores(Tensor.concatenate([image, Tensor.zeros(like: image)], axis: 0), target: ig.target)
            let total = ig.values.reduce(0, +)
            // Captum's trapezoid weights add up to (n − 1) / n, so its sum falls short by about 1/n.
            let bound: Float = rule == .gaussLegendre ? 1e-4 : 0.03 * abs(ends[0] - ends[1]) + 1e-4
            #expect(abs(total - (ends[0] - ends[1])) < bound, "\(rule): Σ = \(total), F(x) − F(0) = \(ends[0] - ends[1])")
            #expect(abs(ig.completenessError! - abs(total - (ends[0] - ends[1]))) < 1e-5)
            #expect(ig.shape == [8, 8, 2] && ig.values.count == 128)
        }
    }

    @Test func saliencyAndSmoothGradAreNonNegativeAndSeeded() throws {
        let model = ExplainTestModels.smallCNN(seed: 3)
        let image = ExplainTestModels.smallImage(seed: 4)
        let explainer = ImageExplainer(model)
        let saliency = try explainer.saliency(image, target: 1)
        #expect(saliency.target == 1 && saliency.values.allSatisfy { $0 >= 0 } && saliency.values.contains { $0 > 0 })
        let a = try explainer.smoothGrad(image, samples: 8, noise: 0.1, seed: 5)
        let b = try explainer.smoothGrad(image, samples: 8, noise: 0.1, seed: 5)
        let c = try explainer.smoothGrad(image, samples: 8, noise: 0.1, seed: 6)
        #expect(a == b && a != c)
        // No noise: SmoothGrad is the saliency.
        let plain = try explainer.smoothGrad(image, target: 1, samples: 2, noise: 0)
        #expect(zip(plain.values, saliency.values).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func gradCAMHasTheInputsSizeAndIsNonNegative() throws {
        let model = ExplainTestModels.smallCNN(seed: 5, activation: .relu)
        let image = ExplainTestModels.smallImage(seed: 6)
        let cam = try ImageExplainer(model).gradCAM(image)
        #expect(cam.shape == [8, 8, 1] && cam.values.count == 64)
        #expect(cam.values.allSatisfy { $0 >= 0 && $0.isFinite })
    }

    @Test func occludingAnAllBackgroundPatchChangesNothing() throws {
        let model = ExplainTestModels.smallCNN(seed: 7, activation: .relu)
        // A bright 3×3 square in the middle of a black 8×8 image: windows of the background are 0 already.
        var pixels = [Float](repeating: 0, count: 128)
        for y in 3..<6 { for x in 3..<6 { for c in 0..<2 { pixels[(y * 8 + x) * 2 + c] = 1 } } }
        let image = Tensor(pixels, shape: [1, 8, 8, 2])
        let occlusion = try ImageExplainer(model).occlusion(image, window: 2, stride: 2)
        let map = occlusion.pixelMap
        for (y, x) in [(0, 0), (0, 1), (1, 0), (7, 7), (0, 7), (7, 0)] {
            #expect(abs(map[y * 8 + x]) < 1e-6, "pixel (\(y), \(x)): \(map[y * 8 + x])")
        }
        #expect(map[4 * 8 + 4] != 0)
    }

    @Test func badArgumentsAreClearErrors() throws {
        let image = ExplainTestModels.smallImage(seed: 8)
        let explainer = ImageExplainer(ExplainTestModels.smallCNN(seed: 9))
        #expect(throws: ExplainError.self) { try explainer.integratedGradients(image, steps: 0) }
        #expect(throws: ExplainError.self) { try explainer.occlusion(image, window: 9) }
        #expect(throws: ExplainError.self) { try explainer.occlusion(image, stride: 0) }
        #expect(throws: ExplainError.self) { try explainer.saliency(image, target: 3) }
        #expect(throws: ExplainError.self) { try explainer.smoothGrad(image, samples: 0) }
        #expect(throws: ExplainError.self) { try explainer.saliency(Tensor.concatenate([image, image], axis: 0)) }
        let dense = ImageExplainer(Sequential([Flatten(), Dense(units: 2)]))
        do {
            _ = try dense.gradCAM(image)
            Issue.record("expected an error")
        } catch let error as ExplainError {
            #expect(error.description.contains("Conv2D"), "\(error)")
        }
    }

    @Test func explainingLeavesTheModelAsItWas() throws {
        let model = ExplainTestModels.smallCNN(seed: 10)
        model.train()
        _ = try ImageExplainer(model).integratedGradients(ExplainTestModels.smallImage(seed: 11), steps: 4)
        #expect(model.isTraining)
        #expect(model.namedParameters().allSatisfy { $0.1.requiresGrad && $0.1.grad == nil })
    }
}
