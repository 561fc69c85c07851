import LeptonNN
import LeptonTensor

/// `TextVectorization` as ONNX string operators, so the exported graph takes sentences
/// (`STRING [batch]`) as the Lepton model does and gives the ids the layer gives:
///
/// 1. `StringNormalizer` (`LOWER`, locale ``locale``) unless `standardize` is `none`;
/// 2. for `lower_and_strip_punctuation`, each of the 32 ASCII punctuation characters removed — a
///    `StringSplit` on it and a `Loop` that joins the parts (standard ONNX has no replace);
/// 3. tab, line feed, vertical tab, form feed and carriage return turned into spaces the same
///    way (onnxruntime's `StringSplit` without a delimiter splits on spaces only);
/// 4. `StringSplit` into tokens, `LabelEncoder` (ai.onnx.ml) from the vocabulary to ids
///    (`""`, the padding `StringSplit` adds, → 0; unknown → 1);
/// 5. `Pad` by the sequence length on both sides and `GatherElements` of each row's window
///    (pre or post padding and truncation), `Cast` to `INT32`.
///
/// `StringSplit` and `StringConcat` need opset 20, which the exporter uses for such a model.
/// onnxruntime (checked with 1.32) runs the graph; its `StringNormalizer` needs the named locale
/// to exist (`C.UTF-8` is built into glibc 2.35 and later). Lower-casing is per code point
/// (Unicode's simple mapping), as the layer does.
struct TextVectorizationConverter: ONNXLayerConverter {
    let layerTypes: [Module.Type] = [TextVectorization.self]
    /// The locale named to `StringNormalizer`.
    static let locale = "C.UTF-8"
    /// The whitespace that onnxruntime's `StringSplit` does not split on, replaced by spaces.
    static let otherWhitespace = ["\t", "\n", "\u{0B}", "\u{0C}", "\r"]

    func convert(_ layer: Module, _ step: ONNXLayerStep) throws -> String {
        let text = layer as! TextVectorization
        let g = step.graph
        guard step.index == 0 else {
            throw step.error("TextVectorization takes the model's string input, so it must be the first layer to be exported")
        }
        guard g.opsetVersion >= 20 else { throw step.error("the string operators need opset 20, the graph is opset \(g.opsetVersion)") }
        var x = step.input
        if text.standardize != .none {
            x = g.node("StringNormalizer", [x], .string("case_change_action", "LOWER"), .string("locale", Self.locale))
        }
        if text.standardize == .lowerAndStripPunctuation {
            for character in TextStandardization.punctuation { x = g.replacing(String(character), with: "", in: x) }
        }
        for character in Self.otherWhitespace { x = g.replacing(character, with: " ", in: x) }
        let split = g.nodeOutputs("StringSplit", [x], outputs: 2)
        let words = Array(text.vocabulary.dropFirst(2))
        let ids = g.nodeOutputs("LabelEncoder", [split[0]], outputs: 1, domain: "ai.onnx.ml",
                                attributes: [.strings("keys_strings", words + [TextVectorization.paddingToken]),
                                             .ints("values_int64s", Array(2..<(2 + words.count)) + [0]), .int("default_int64", 1)])[0]
        let length = text.outputSequenceLength
        let padded = g.node("Pad", [ids, g.ints([0, length, 0, length], name: "pads")])
        // Token k of a row sits at column length + k of `padded`; the row's window starts at `start`.
        let window: String
        if text.padding == .post && text.truncating == .post {
            window = g.node("Slice", [padded, g.ints([length], name: "starts"), g.ints([2 * length], name: "ends"), g.ints([1], name: "axes")])
        } else {
            let counts = g.node("Unsqueeze", [split[1], g.ints([1], name: "column")])
            let sequenceLength = g.int64s([Int64(length)], name: "length", scalar: true)
            let start: String
            switch (text.padding, text.truncating) {
            case (.pre, .pre): start = counts
            case (.pre, .post): start = g.node("Min", [counts, sequenceLength])
            default: start = g.node("Max", [counts, sequenceLength])
            }
            let positions = g.node("Add", [start, g.int64s((0..<length).map(Int64.init), name: "positions")])   // [batch, length]
            window = g.node("GatherElements", [padded, positions], .int("axis", 1))
        }
        return g.node("Cast", [window], .int("to", Int(ONNXElementType.int32.rawValue)))
    }
}

extension ONNXGraphBuilder {
    /// `x` (`STRING [batch]`) with every `character` replaced by `replacement`: `StringSplit` on
    /// it, then a `Loop` over the parts after the first that appends `replacement` and the part
    /// (rows with fewer parts append `replacement` and the empty padding, which for a space is
    /// more whitespace between tokens and for `""` nothing).
    func replacing(_ character: String, with replacement: String, in x: String) -> String {
        let parts = nodeOutputs("StringSplit", [x], outputs: 2, attributes: [.string("delimiter", character)])[0]
        let first = node("Gather", [parts, int64s([0], name: "first_part", scalar: true)], .int("axis", 1))
        let partCount = node("Gather", [node("Shape", [parts]), int64s([1], name: "parts_axis", scalar: true)])
        let one = int64s([1], name: "one", scalar: true)
        let trips = node("Sub", [partCount, one])
        // The body: joined ← joined + replacement + parts[:, i + 1].
        let (i, condition, joined) = (uniqueName("i", separator: "/"), uniqueName("cond", separator: "/"), uniqueName("joined", separator: "/"))
        var body: [Onnx_NodeProto] = []
        func bodyNode(_ op: String, _ inputs: [String], _ attributes: [Onnx_AttributeProto] = []) -> String {
            var n = Onnx_NodeProto()
            n.opType = op
            n.name = uniqueName(op, separator: "/")
            n.input = inputs
            n.output = [uniqueName("\(op)_output", separator: "/")]
            n.attribute = attributes
            body.append(n)
            return n.output[0]
        }
        let column = bodyNode("Gather", [parts, bodyNode("Add", [i, one])], [.int("axis", 1)])
        let separated = replacement.isEmpty ? joined : bodyNode("StringConcat", [joined, string(replacement, name: "separator")])
        let next = bodyNode("StringConcat", [separated, column])
        let conditionOut = bodyNode("Identity", [condition])
        var graph = Onnx_GraphProto()
        graph.name = uniqueName("replace_body", separator: "/")
        graph.node = body
        graph.input = [Self.valueInfo(i, .int64, []), Self.valueInfo(condition, .bool, []), Self.valueInfo(joined, .string, [nil])]
        graph.output = [Self.valueInfo(conditionOut, .bool, []), Self.valueInfo(next, .string, [nil])]
        return nodeOutputs("Loop", [trips, "", first], outputs: 1, attributes: [.graph("body", graph)])[0]
    }
}
