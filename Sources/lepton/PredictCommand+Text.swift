import Foundation
import LeptonFiles
import LeptonIO
import LeptonNN
import LeptonONNX
import LeptonTensor
import LeptonTrain

/// `lepton predict MODEL sentences.txt` for a model that takes text (its first layer is a
/// `TextVectorization`): one sentence per line of a UTF-8 file (blank lines skipped), one JSON
/// line per sentence with the text and the model's outputs (or class and probability).
extension PredictCommand {
    /// The largest text file read (a sentence file is small; this bounds the memory a wrong path costs).
    static let maximumTextFileBytes = 256 << 20

    /// Runs a text model on the lines of ``input`` and prints one JSON line each; returns false,
    /// doing nothing, when the model takes tensors.
    /// - Throws: `IOError` for an unreadable or non-UTF-8 file, a file without sentences, or a
    ///   `.txt` input given to a model that does not take text.
    func predictTexts(_ loaded: LoadedModel) throws -> Bool {
        guard let sequential = loaded.model as? Sequential, sequential.textVectorization != nil else {
            if input.lowercased().hasSuffix(".txt") {
                throw IOError("the model takes tensors, not text (its first layer is not a TextVectorization)", file: model)
            }
            return false
        }
        var texts = try Self.lines(of: URL(fileURLWithPath: input))
        guard !texts.isEmpty else { throw IOError("no sentences (expected one per line)", file: input) }
        if let limit { texts = Array(texts.prefix(limit)) }
        let y = try sequential.predict(texts: texts, batchSize: 256)
        let classNames = ModelFile.classNames(in: URL(fileURLWithPath: model))
        let columns = y.count / max(y.shape[0], 1), values = y.scalars
        for (i, text) in texts.enumerated() {
            let row = Array(values[(i * columns)..<((i + 1) * columns)])
            let outputs = row.map { String(format: "%.6g", $0) }.joined(separator: ", ")
            var fields = "\"index\": \(i), \"text\": \(Self.quoted(text))"
            if columns > 1, let best = row.indices.max(by: { row[$0] < row[$1] }) {
                fields += ", \"class\": \(best)"
                if let classNames, best < classNames.count { fields += ", \"name\": \(Self.quoted(classNames[best]))" }
                fields += ", \"probability\": \(String(format: "%.6g", row[best]))"
            }
            print("{\(fields), \"outputs\": [\(outputs)]}")
        }
        return true
    }

    /// The non-blank lines of a UTF-8 text file, without their line ends.
    static func lines(of url: URL) throws -> [String] {
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        guard let attributes, attributes[.type] as? FileAttributeType == .typeRegular else {
            throw IOError("not found or not a regular file (expected a text file, one sentence per line)", file: url.path)
        }
        if let size = (attributes[.size] as? NSNumber)?.intValue, size > maximumTextFileBytes {
            throw IOError("the file is \(size) bytes; expected at most \(maximumTextFileBytes) of sentences", file: url.path)
        }
        guard let text = FileContents.text(url) else {
            throw IOError("cannot read the file as UTF-8 text", file: url.path)
        }
        // "\r\n" is one Character in Swift, so CRLF files are split on it explicitly.
        return text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).map(String.init)
            .filter { !$0.allSatisfy(\.isWhitespace) }
    }
}
