import Foundation
import LeptonExplain
import LeptonPlot
import LeptonNN
import LeptonTensor
import Testing

@Suite struct TextExplainerTests {
    /// TextVectorization → Embedding → Bidirectional LSTM → Dense(sigmoid), seeded, untrained.
    static func textModel() throws -> Sequential {
        GlobalRandom.seed(31)
        let vectorization = try TextVectorization(outputSequenceLength: 6)
        vectorization.adapt(["a great moving film", "a dull boring film", "great acting", "boring plot"])
        let model = Sequential([
            vectorization,
            Embedding(vocabularySize: vectorization.vocabularySize, dimensions: 8),
            Bidirectional(LSTM(units: 4)),
            Dense(units: 1, activation: .sigmoid),
        ])
        _ = model(vectorization.encode(["great"]))
        return model
    }

    @Test func tokenAttributionsFollowTheTextAndIntegratedGradientsAreComplete() throws {
        let explainer = try TextExplainer(try Self.textModel())
        let ig = try explainer.explain("A great, moving <film>!", steps: 64)
        #expect(ig.tokens == ["a", "great", "moving", "film"], "\(ig.tokens)")
        #expect(ig.values.count == 4 && ig.target == 0 && ig.methodName == "integrated gradients")
        #expect(ig.completenessError! < 1e-4, "\(ig.completenessError!)")
        #expect(abs(ig.score - explainer.outputs("A great, moving <film>!")[0]) < 1e-6)
        let plain = try explainer.explain("A great, moving <film>!")
        #expect(plain.tokens == ig.tokens && plain.completenessError == nil && plain.methodName == "gradient × input")
        // Longer than the sequence: the first tokens are cut, as pre-truncation does.
        let long = try explainer.explain("one two three four five six seven eight")
        #expect(long.tokens == ["three", "four", "five", "six", "seven", "eight"])
        #expect(throws: ExplainError.self) { try explainer.explain("!!!") }
        #expect(throws: ExplainError.self) { try explainer.explain("great", target: 1) }
    }

    @Test func theHTMLHighlightsEachTokenBySign() throws {
        let attribution = TokenAttribution(tokens: ["good", "<b>", "bad"], values: [0.5, 0, -1], target: 0, score: 0.7,
                                           methodName: "integrated gradients", completenessError: 1e-5)
        let html = TokenHTML.render(attribution, title: "Review", className: "positive")
        #expect(html.contains("rgba(214, 39, 40, 0.425)\" title=\"+0.5\">good</span>"), "\(html)")
        #expect(html.contains("rgba(31, 119, 180, 0.850)\" title=\"-1\">bad</span>"))
        #expect(html.contains("&lt;b&gt;") && !html.contains("<b>"))
        #expect(html.contains("positive (output 0)") && html.contains("completeness error"))
    }

    @Test func thePictureColoursEachTokenBySign() throws {
        let attribution = TokenAttribution(tokens: ["good", "bad"], values: [1, -1], target: 0, score: 0.7, methodName: "saliency")
        let canvas = try TokenImage.canvas(attribution, caption: "positive", width: 300)
        // Sample the box corners (inside the padding, no glyph there) of each token.
        let top = 16 + 16 + 8 + 1, goodX = 17, badX = 16 + PixelFont.width(of: "good", scale: 2) + 8 + 8 + 1
        let good = try #require(canvas.pixel(x: goodX, y: top)), bad = try #require(canvas.pixel(x: badX, y: top))
        #expect(good.r > good.b && bad.b > bad.r, "\(good) \(bad)")
        #expect(throws: PlotError.self) { try TokenImage.canvas(attribution, caption: "", width: 20) }
    }

    @Test func aModelWithoutTextIsAnError() {
        #expect(throws: ExplainError.self) { try TextExplainer(ExplainTestModels.smallCNN(seed: 1)) }
    }
}
