import Foundation
import LeptonExplain
import LeptonFiles
import LeptonIO
import LeptonNN
import LeptonPlot
import LeptonTensor
import LeptonTrain

/// `lepton explain` on a model that takes text: token importance (gradient × input for
/// `saliency`, Integrated Gradients for `integrated-gradients`) as an HTML page, or the
/// attention weights over the token positions as a PNG.
extension ExplainCommand {
    func explainText(_ model: Sequential, method: AttributionMethod, classNames: [String]?) throws {
        let sentence = try self.text ?? firstLine()
        guard [.saliency, .integratedGradients, .attention].contains(method) else {
            throw IOError("--method \(method.rawValue) explains image models; for a text model use saliency (gradient × input), integrated-gradients or attention", file: self.model)
        }
        guard let vectorization = model.textVectorization else { throw IOError("the model does not take text", file: self.model) }
        let ids = vectorization.encode([sentence])
        let row = ModelRunner(model).outputs(ids).scalars
        let predicted = row.count == 1 ? (row[0] >= 0.5 ? 1 : 0) : row.indices.max { row[$0] < row[$1] } ?? 0
        let probability = row.count == 1 ? (predicted == 1 ? row[0] : 1 - row[0]) : row[predicted]
        let url = URL(fileURLWithPath: out)
        if method == .attention {
            let (map, ms) = try timed { try AttentionMap.record(model, input: ids) }
            try MatrixHeatmap.canvas(map.mean, rows: map.queries, columns: map.keys).write(to: url)
            report(predicted: predicted, probability: probability, classNames: classNames, explained: nil, milliseconds: ms,
                   completenessError: nil, wrote: "the attention map (\(map.queries) × \(map.keys) positions) to \(out)")
            return
        }
        let format = url.pathExtension.lowercased()
        guard format == "html" || format == "png" else {
            throw IOError("--out: token attributions are an HTML page or a PNG picture; give a file ending in .html or .png", file: out)
        }
        let explainer = try TextExplainer(model)
        let steps = method == .integratedGradients ? (self.steps ?? 50) : nil
        let rule = IntegrationRule(rawValue: self.rule)!
        let (tokens, ms) = try timed { try explainer.explain(sentence, target: target, steps: steps, rule: rule) }
        let explainedName = classNames.flatMap { tokens.target < $0.count && row.count > 1 ? $0[tokens.target] : nil }
            ?? (row.count == 1 ? "positive score (class 1)" : nil)
        if format == "png" {
            var caption = "\(explainedName ?? "output \(tokens.target)"): score \(String(format: "%.4f", tokens.score)), \(tokens.methodName)"
            if let error = tokens.completenessError { caption += String(format: ", completeness error %.1e", error) }
            try TokenImage.canvas(tokens, caption: caption + "; red raises the score, blue lowers it").write(to: url)
        } else {
            let html = TokenHTML.render(tokens, title: "Why \"\(sentence.prefix(60))\"", className: explainedName)
            try OutputPath.checkFile(url, overwrite: true)
            try FileWriter.write(Data(html.utf8), to: url, atomically: true)
        }
        report(predicted: predicted, probability: probability, classNames: classNames, explained: row.count > 1 ? tokens.target : nil,
               milliseconds: ms, completenessError: tokens.completenessError, wrote: "the tokens to \(out)")
    }

    /// The first non-blank line of the INPUT text file.
    func firstLine() throws -> String {
        guard let input else { throw IOError("give a text file or --text", file: model) }
        guard input.lowercased().hasSuffix(".txt") else {
            throw IOError("the model takes text: give a .txt file or --text \"…\"", file: input)
        }
        guard let line = try PredictCommand.lines(of: URL(fileURLWithPath: input)).first else {
            throw IOError("no sentence in the file", file: input)
        }
        return line
    }
}
