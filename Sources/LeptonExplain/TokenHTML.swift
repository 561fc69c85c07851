import Foundation

/// A text with its tokens highlighted by attribution, as a standalone HTML page: red where a
/// token pushes the explained output up, blue where it pushes it down, the opacity growing with
/// the magnitude (relative to the largest in the text); each token's value shows on hover.
public enum TokenHTML {
    /// The page for `attribution`, headed by `title` and a line naming the class and its score.
    public static func render(_ attribution: TokenAttribution, title: String = "Token attributions",
                              className: String? = nil) -> String {
        let largest = attribution.values.map { abs($0) }.max() ?? 0
        let limit = largest > 0 ? largest : 1
        let spans = zip(attribution.tokens, attribution.values).map { token, value -> String in
            let alpha = Double(min(1, abs(value) / limit)) * 0.85
            let color = value >= 0 ? "214, 39, 40" : "31, 119, 180"
            return "<span class=\"t\" style=\"background: rgba(\(color), \(String(format: "%.3f", alpha)))\" "
                + "title=\"\(String(format: "%+.4g", value))\">\(escape(token))</span>"
        }.joined(separator: " ")
        let target = className.map { "\(escape($0)) (output \(attribution.target))" } ?? "output \(attribution.target)"
        var summary = "Explained: \(target), score \(String(format: "%.4f", attribution.score)); method: \(escape(attribution.methodName))"
        if let error = attribution.completenessError { summary += String(format: "; completeness error %.2e", error) }
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
        <style>
        body { font-family: sans-serif; margin: 2em; max-width: 50em; }
        .text { font-size: 1.4em; line-height: 2.2em; }
        .t { padding: 0.15em 0.3em; border-radius: 0.3em; }
        .legend { color: #555; margin-top: 1.5em; }
        </style></head><body>
        <h1>\(escape(title))</h1>
        <p>\(summary)</p>
        <p class="text">\(spans)</p>
        <p class="legend"><span class="t" style="background: rgba(214, 39, 40, 0.6)">red</span> raises the score,
        <span class="t" style="background: rgba(31, 119, 180, 0.6)">blue</span> lowers it; stronger colour, larger effect
        (hover a token for its value).</p>
        </body></html>

        """
    }

    /// `text` with `&`, `<`, `>` and quotes escaped.
    public static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
