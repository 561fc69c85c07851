import Foundation
import LeptonData
import LeptonFiles
import LeptonIO
import LeptonONNX
import LeptonTensor

extension PredictCommand {
    /// `lepton predict MODEL INPUTS.npz`: feeds the archive's arrays to the model's inputs by
    /// name (every input must be there, no other array may be), runs the model once and prints
    /// one JSON line per output, `{"output": NAME, "type": "FLOAT", "shape": [...], "values": [...]}`;
    /// with `--output-npz` it also writes the outputs, by name, to an `.npz` (INT64 outputs as
    /// int64, BOOL as bool); with `--repeat N` it runs N more times and prints the median
    /// forward pass as `{"milliseconds": …}`.
    func predictArchive(_ loaded: LoadedModel) throws {
        let arrays = try NPYReader.readArchive(URL(fileURLWithPath: input))
        let expected = loaded.inputs.map(\.name)
        let unknown = arrays.keys.filter { !expected.contains($0) }.sorted()
        let missing = expected.filter { arrays[$0] == nil }
        guard unknown.isEmpty, missing.isEmpty else {
            let parts = [missing.isEmpty ? nil : "no array for input(s) " + missing.joined(separator: ", "),
                         unknown.isEmpty ? nil : "array(s) " + unknown.joined(separator: ", ") + " match no input"]
            throw IOError(parts.compactMap { $0 }.joined(separator: "; ") + "; the model's inputs are "
                          + loaded.inputs.map(\.description).joined(separator: "; "), file: input)
        }
        let given = expected.map { arrays[$0]! }
        let outputs = try loaded.run(given)
        if let repeats {
            let times = try (0..<repeats).map { _ in
                let start = ContinuousClock.now
                _ = try loaded.run(given)
                let elapsed = ContinuousClock.now - start
                return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            }.sorted()
            print(String(format: "{\"milliseconds\": %.3f}", times[times.count / 2]))
        }
        var written: [(name: String, array: NPYArray)] = []
        for (spec, tensor) in zip(loaded.outputs, outputs) {
            let shown = limit ?? tensor.count
            let values = tensor.dtype == .float32
                ? tensor.scalars.prefix(shown).map { String(format: "%.6g", $0) }
                : tensor.int32Scalars.prefix(shown).map { String($0) }
            let shape = tensor.shape.map(String.init).joined(separator: ", ")
            print("{\"output\": \(Self.quoted(spec.name)), \"type\": \"\(spec.elementType)\", \"shape\": [\(shape)], \"values\": [\(values.joined(separator: ", "))]}")
            written.append((spec.name, NPYArray(tensor, as: Self.npyType(spec.elementType))))
        }
        if let outputNPZ {
            try OutputPath.checkFile(URL(fileURLWithPath: outputNPZ), overwrite: true)
            try FileWriter.write(try NPZWriter.archive(written), to: URL(fileURLWithPath: outputNPZ), atomically: true)
        }
    }

    /// How an output of `type` is written to `.npz`: 64-bit integers widened, booleans as bool.
    static func npyType(_ type: ONNXElementType) -> NPYArray.ElementType? {
        switch type {
        case .int64, .uint64, .uint32: .int64
        case .bool: .bool
        default: nil
        }
    }
}
