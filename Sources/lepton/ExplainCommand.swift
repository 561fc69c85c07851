import ArgumentParser
import Foundation
import LeptonExplain
import LeptonFiles
import LeptonIO
import LeptonNN
import LeptonONNX
import LeptonTrain

/// `lepton explain MODEL INPUT --method M --out FILE`: why a saved classifier predicts what it
/// does for one input. Image models (an image or an `.npy` sample): saliency, SmoothGrad,
/// Integrated Gradients, Grad-CAM or occlusion as a PNG of the input, the map and the map over
/// the input (ExplainCommand+Image). Text models: token importance as an HTML page
/// (ExplainCommand+Text). Models with attention: the attention weights as a query × key PNG.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain a saved classifier's prediction for one input: an attribution map (PNG) or highlighted tokens (HTML).")

    @Argument(help: "A saved Lepton model folder.")
    var model: String

    @Argument(help: "An image (.png/.jpg), an .npy sample ([H, W, C] or [N, H, W, C]: the first is explained), or for a text model a UTF-8 .txt file (its first line); omit with --text.")
    var input: String?

    @Option(help: "saliency, smoothgrad, integrated-gradients, gradcam, occlusion or attention (text models: saliency = gradient × input, integrated-gradients, attention).")
    var method: String

    @Option(help: ArgumentHelp("Where to write the map: a .png, or an .html for a text model's tokens.", valueName: "file"))
    var out: String

    @Option(help: "The class to explain (default: the predicted one).")
    var target: Int?

    @Option(help: "Integrated Gradients: points on the path, 1...\(maximumCount) (default 50).")
    var steps: Int?

    @Option(help: "Integrated Gradients: gausslegendre (Captum's default) or riemann_trapezoid.")
    var rule: String = IntegrationRule.gaussLegendre.rawValue

    @Option(help: "SmoothGrad: noisy copies, 1...\(maximumCount) (default 25).")
    var samples: Int?

    @Option(help: "SmoothGrad: noise standard deviation as a fraction of the input's range (default 0.15).")
    var noise: Float?

    @Option(help: "Occlusion: window side in pixels (default 4).")
    var window: Int?

    @Option(help: "Occlusion: step between windows in pixels (default 2).")
    var stride: Int?

    @Option(help: "A sentence to explain (text models), instead of INPUT.")
    var text: String?

    @Option(help: .hidden)
    var `repeat`: Int = 1

    @OptionGroup var common: CommonOptions

    /// The largest `--steps` and `--samples` (each is one forward and backward pass).
    static let maximumCount = 10_000

    func validate() throws {
        guard AttributionMethod(rawValue: method) != nil else {
            throw ValidationError("--method \(method): expected one of " + AttributionMethod.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard IntegrationRule(rawValue: rule) != nil else {
            throw ValidationError("--rule \(rule): expected one of " + IntegrationRule.allCases.map(\.rawValue).joined(separator: ", "))
        }
        for (name, value) in [("--steps", steps), ("--samples", samples)] {
            if let value, !(1...Self.maximumCount).contains(value) {
                throw ValidationError("\(name): expected an integer in 1...\(Self.maximumCount), got \(value)")
            }
        }
        for (name, value) in [("--window", window), ("--stride", stride), ("--repeat", `repeat`)] {
            if let value, value < 1 { throw ValidationError("\(name): expected a positive integer, got \(value)") }
        }
        if let noise, !(noise.isFinite && noise >= 0) {
            throw ValidationError("--noise: expected a finite fraction ≥ 0, got \(noise)")
        }
        if input == nil && text == nil { throw ValidationError("give an INPUT file, or --text for a text model") }
        if input != nil && text != nil { throw ValidationError("give either an INPUT file or --text, not both") }
        try OutputPath.checkNotEmpty(out, what: "--out")
    }

    func run() throws {
        common.apply()
        let attributionMethod = AttributionMethod(rawValue: method)!
        let loaded = try ModelLoader.load(URL(fileURLWithPath: model))
        guard let sequential = loaded.model as? Sequential else {
            throw IOError("explain works on Lepton model folders (a Sequential), not on \(loaded.format.rawValue) models", file: model)
        }
        sequential.eval()   // explanations run the model as it predicts (no dropout), once switched
        let classNames = ModelFile.classNames(in: URL(fileURLWithPath: model))
        if sequential.textVectorization != nil {
            try explainText(sequential, method: attributionMethod, classNames: classNames)
        } else {
            if text != nil { throw IOError("--text: the model takes tensors, not text (its first layer is not a TextVectorization)", file: model) }
            try explainImage(sequential, loaded: loaded, method: attributionMethod, classNames: classNames)
        }
    }

    /// Runs `body` ``repeat`` times; returns its last result and the mean time of one run in ms.
    /// With more than one run the first is a warm-up (buffers allocated, caches filled) and is not
    /// timed, as the Captum side of `scripts/bench_explain.sh` warms up.
    func timed<R>(_ body: () throws -> R) rethrows -> (R, Double) {
        var result = `repeat` > 1 ? try body() : nil   // the warm-up
        let runs = max(1, `repeat` - 1)
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<runs { result = try body() }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        return (result!, elapsed / Double(runs))
    }

    /// Prints the prediction, the method and its time, the way every explanation reports them.
    func report(predicted: Int, probability: Float, classNames: [String]?, explained: Int?, milliseconds: Double,
                completenessError: Float?, wrote: String) {
        func named(_ c: Int) -> String { classNames.flatMap { c < $0.count ? "\(c) (\($0[c]))" : nil } ?? "\(c)" }
        print("predicted class: \(named(predicted)), probability \(String(format: "%.4f", probability))")
        if let explained, explained != predicted { print("explained class: \(named(explained))") }
        print("method: \(method)")
        print(String(format: "time: %.2f ms", milliseconds) + (`repeat` > 1 ? " per image (mean of \(`repeat` - 1) after a warm-up)" : ""))
        if let completenessError { print("completeness error: \(String(format: "%.3e", completenessError))") }
        print("Wrote \(wrote)")
    }
}
