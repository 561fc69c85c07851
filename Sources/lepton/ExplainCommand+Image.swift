import Foundation
import LeptonData
import LeptonExplain
import LeptonIO
import LeptonNN
import LeptonONNX
import LeptonPlot
import LeptonTensor

/// `lepton explain` on a model that takes images (or any tensor sample): the attribution PNG,
/// or for `--method attention` the query × key weights.
extension ExplainCommand {
    func explainImage(_ model: Sequential, loaded: LoadedModel, method: AttributionMethod, classNames: [String]?) throws {
        guard let input else { throw IOError("give the input file (an image or an .npy sample)", file: self.model) }
        let expected = loaded.inputs.first?.shape.map { Array($0.dropFirst()) } ?? []
        let x = try readSample(input, expected: expected)
        if let spec = loaded.inputs.first, spec.shape != nil, !spec.accepts(shape: x.shape) {
            throw IOError("the sample has shape \(Array(x.shape.dropFirst())), the model expects \(expected)", file: input)
        }
        let explainer = ImageExplainer(model)
        let prediction = try explainer.predict(x)
        let url = URL(fileURLWithPath: out)
        if method == .attention {
            let (map, ms) = try timed { try AttentionMap.record(model, input: x) }
            try MatrixHeatmap.canvas(map.mean, rows: map.queries, columns: map.keys).write(to: url)
            report(predicted: prediction.target, probability: prediction.score, classNames: classNames, explained: nil,
                   milliseconds: ms, completenessError: nil, wrote: "the attention map (\(map.queries) queries × \(map.keys) keys, mean of \(map.heads.count) heads) to \(out)")
            return
        }
        guard x.rank == 4 else {
            throw IOError("\(method.rawValue) explains images [height, width, channels]; the model takes samples of shape \(expected)", file: self.model)
        }
        if method == .gradcam, explainer.lastConvolutionIndex == nil {
            throw IOError("--method gradcam needs a Conv2D layer, and the model has none", file: self.model)
        }
        if method == .occlusion, (window ?? 4) > min(x.shape[1], x.shape[2]) {
            throw ExplainError("--window \(window ?? 4): larger than the image (\(x.shape[1])×\(x.shape[2]))")
        }
        let rule = IntegrationRule(rawValue: self.rule)!
        let (attribution, ms) = try timed { () throws -> Attribution in
            switch method {
            case .saliency: return try explainer.saliency(x, target: target)
            case .smoothgrad:
                return try explainer.smoothGrad(x, target: target, samples: samples ?? 25, noise: noise ?? 0.15, seed: common.seed ?? 0)
            case .integratedGradients: return try explainer.integratedGradients(x, target: target, steps: steps ?? 50, rule: rule)
            case .gradcam: return try explainer.gradCAM(x, target: target)
            case .occlusion: return try explainer.occlusion(x, target: target, window: window ?? 4, stride: stride ?? 2)
            case .attention: throw ExplainError("unreachable")
            }
        }
        guard x.shape[3] == 1 || x.shape[3] == 3 else {
            throw IOError("the heatmap draws images of 1 or 3 channels; the sample has \(x.shape[3])", file: input)
        }
        try Heatmap.write(image: x, attribution: attribution, to: url)
        report(predicted: prediction.target, probability: prediction.score, classNames: classNames, explained: attribution.target,
               milliseconds: ms, completenessError: attribution.completenessError, wrote: "the map to \(out)")
    }

    /// One sample `[1, …]` from an image file (decoded to the model's size and channels) or an `.npy` array.
    func readSample(_ path: String, expected: [Int]) throws -> Tensor {
        let url = URL(fileURLWithPath: path)
        if ImageFolder.extensions.contains(url.pathExtension.lowercased()) {
            guard expected.count == 3, !expected.contains(-1), expected[2] == 1 || expected[2] == 3 else {
                throw IOError("the model's input \(expected) is not an image [height, width, 1 or 3]", file: model)
            }
            return try PredictCommand.image(url, mode: expected[2] == 3 ? .rgb : .grayscale, sample: expected).unsqueeze(0)
        }
        guard path.lowercased().hasSuffix(".npy") else {
            throw IOError("expected an image (.png, .jpg) or an .npy sample", file: path)
        }
        let array = try NPYReader.read(url)
        let values = array.dtype == .float32 ? array : array.cast(to: .float32)
        if !expected.isEmpty, values.shape == expected { return values.unsqueeze(0) }
        guard values.rank >= 1, values.shape[0] >= 1 else { throw IOError("the array is empty (shape \(values.shape))", file: path) }
        return values.slice(axis: 0, start: 0, end: 1).copy()
    }
}
