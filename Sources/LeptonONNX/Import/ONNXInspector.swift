import Foundation
import LeptonTensor

/// A readable description of an ONNX model for `lepton inspect`: file size, producer, opset,
/// inputs and outputs, initializers and parameter counts, every node with its inputs, outputs,
/// parameters and (from a probe run on zeros, variable dimensions set to 1) output shapes, the
/// operator histogram, and whether Lepton imports it.
public enum ONNXInspector {
    /// Describes `model`; `fileSize` in bytes when it came from a file.
    public static func describe(_ model: Onnx_ModelProto, name: String, fileSize: Int?) -> String {
        let graph = model.graph
        var lines: [String] = []
        let opset = model.opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }.map { "\($0.version)" } ?? "none"
        var header = "\(name): "
        if let fileSize { header += "\(byteCount(fileSize)), " }
        header += "ONNX IR \(model.irVersion), opset \(opset)"
        if !model.producerName.isEmpty { header += ", produced by \(model.producerName) \(model.producerVersion)" }
        lines.append(header)
        let imported = Result { try ONNXImporter.importModel(model) }
        let initializerSizes = Dictionary(graph.initializer.map { ($0.name, $0.dims.reduce(1) { $0 &* Int($1) }) }, uniquingKeysWith: { a, _ in a })
        let initializerNames = Set(initializerSizes.keys)
        lines.append("Inputs:")
        for info in graph.input where !initializerNames.contains(info.name) { lines.append("  " + describe(info)) }
        lines.append("Outputs:")
        for info in graph.output { lines.append("  " + describe(info)) }
        var byType: [String: Int] = [:]
        for t in graph.initializer {
            let type = ONNXElementType(rawValue: t.dataType)?.description ?? "type \(t.dataType)"
            byType[type, default: 0] += initializerSizes[t.name] ?? 0
        }
        let total = initializerSizes.values.reduce(0, +)
        lines.append("Initializers: \(graph.initializer.count) tensors, \(grouped(total)) parameters"
                     + (byType.isEmpty ? "" : " (" + byType.sorted { $0.key < $1.key }.map { "\($0.key) \(grouped($0.value))" }.joined(separator: ", ") + ")"))
        let shapes = probeShapes(imported)
        lines.append("Nodes (\(graph.node.count)):")
        var rows = [["#", "name", "op", "inputs -> outputs", "output shape", "params"]]
        for (i, node) in graph.node.enumerated() {
            let params = node.input.reduce(0) { $0 + (initializerSizes[$1] ?? 0) }
            let outputShapes = node.output.map { shapes[$0].map { "\($0)" } ?? "?" }.joined(separator: ", ")
            rows.append(["\(i)", node.name.isEmpty ? "-" : node.name, node.domain.isEmpty ? node.opType : "\(node.domain).\(node.opType)",
                         clipped(node.input.map { $0.isEmpty ? "_" : $0 }.joined(separator: ", ") + " -> " + node.output.joined(separator: ", "), 60),
                         outputShapes, params == 0 ? "" : grouped(params)])
        }
        lines += table(rows).map { "  " + $0 }
        let histogram = Dictionary(graph.node.map { ($0.opType, 1) }, uniquingKeysWith: +)
        lines.append("Operators: " + histogram.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        switch imported {
        case .success(let m):
            lines.append("Lepton import: supported (\(m.nodes.count) nodes; \(grouped(m.parameterCount)) parameters, "
                         + "\(grouped(m.parameters().reduce(0) { $0 + $1.count })) trainable)")
        case .failure(let error):
            lines.append("Lepton import: not supported: \(error)")
        }
        return lines.joined(separator: "\n")
    }

    /// Output shapes of every value, from running the model on zeros (variable dimensions 1).
    static func probeShapes(_ imported: Result<ONNXGraphModel, Error>) -> [String: [Int]] {
        guard case .success(let model) = imported, model.inputSpecs.allSatisfy({ $0.shape != nil }) else { return [:] }
        var shapes: [String: [Int]] = [:]
        let inputs = model.inputSpecs.map { Tensor.zeros($0.shape!.map { $0 < 0 ? 1 : $0 }, dtype: $0.dtype) }
        let names = Dictionary(uniqueKeysWithValues: model.modelProto.graph.node.enumerated().map { (ONNXGraph.label($1, index: $0), $1.output) })
        _ = try? model.trace(inputs) { label, values in
            for (name, value) in zip(names[label] ?? [], values) where value != nil { shapes[name] = value!.shape }
        }
        return shapes
    }

    static func describe(_ info: Onnx_ValueInfoProto) -> String {
        guard case .tensorType(let t)? = info.type.value else { return "\(info.name): (not a tensor)" }
        let type = ONNXElementType(rawValue: t.elemType)?.description ?? "type \(t.elemType)"
        guard t.hasShape else { return "\(info.name): \(type) (any shape)" }
        let dims = t.shape.dim.map { d -> String in
            switch d.value {
            case .dimValue(let v)?: return "\(v)"
            case .dimParam(let p)?: return p
            case nil: return "?"
            }
        }
        return "\(info.name): \(type) [\(dims.joined(separator: ", "))]"
    }

    /// `1,234,567`.
    public static func grouped(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// `2.78 MB (2,776,818 bytes)`.
    public static func byteCount(_ n: Int) -> String {
        let units: [(Double, String)] = [(1e9, "GB"), (1e6, "MB"), (1e3, "kB")]
        for (size, unit) in units where Double(n) >= size {
            return String(format: "%.2f %@ (%@ bytes)", Double(n) / size, unit, grouped(n))
        }
        return "\(n) bytes"
    }

    /// Rows aligned in columns.
    public static func table(_ rows: [[String]]) -> [String] {
        let widths = (0..<(rows.first?.count ?? 0)).map { c in rows.map { $0[c].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
    }

    static func clipped(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }
}
