import ArgumentParser
import Foundation
import LeptonData
import LeptonFiles
import LeptonIO
import LeptonONNX
import LeptonTensor

/// `lepton predict MODEL INPUT`: runs a saved model (a Lepton model folder, an imported-ONNX
/// folder or an `.onnx` file) on an `.npz` of named inputs (PredictCommand+Archive, every
/// output printed), an `.npy` array, an IDX image file, an image (PNG/JPEG) or a
/// folder of images (or, for a model that takes text, a file of sentences: PredictCommand+Text),
/// and prints one JSON line per sample: the class (and its name, when the
/// model records class names) with its probability, or the raw outputs. On an image folder with
/// class subfolders, it also prints the accuracy.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Run a saved model on an .npz of named inputs, an .npy array, an IDX file, an image or a folder of images; print one JSON line per sample.")

    @Argument(help: "A saved model folder, an imported-ONNX folder or an .onnx file.")
    var model: String

    @Argument(help: "Input samples: .npz (one array per model input, by name; prints every output), .npy (samples along axis 0), an IDX image file (.gz or not), a .png/.jpg image, a folder of images (flat, or one subfolder per class), or for a text model a UTF-8 file of sentences, one per line.")
    var input: String

    @Option(help: "Print at most this many samples.")
    var limit: Int?

    @Option(help: ArgumentHelp("Also write a 5×5 grid of 25 images spread over the input, each labelled with its predicted class (red where wrong when the folder's classes are known), as a PNG.",
                               valueName: "out.png"))
    var grid: String?

    @Option(help: ArgumentHelp("With an .npz input: also write every output, by name, to this .npz (INT64 outputs as int64).",
                               valueName: "out.npz"))
    var outputNPZ: String?

    @Option(name: .customLong("repeat"), help: "With an .npz input: run the model this many more times and print the median forward pass as {\"milliseconds\": …}.")
    var repeats: Int?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit: expected a positive integer, got \(limit)") }
        if let repeats, !(1...10_000).contains(repeats) { throw ValidationError("--repeat: expected an integer in 1...10000, got \(repeats)") }
        if repeats != nil, !input.hasSuffix(".npz") { throw ValidationError("--repeat: needs an .npz input") }
    }

    func run() throws {
        common.apply()
        let loaded = try ModelLoader.load(URL(fileURLWithPath: model))
        if input.hasSuffix(".npz") { return try predictArchive(loaded) }
        if outputNPZ != nil { throw ValidationError("--output-npz: needs an .npz input (one array per model input, by name)") }
        guard loaded.inputs.count == 1 else {
            throw IOError("the model takes \(loaded.inputs.count) inputs; give them by name in an .npz (predict feeds one .npy array)", file: model)
        }
        if try predictTexts(loaded) { return }
        let sample = loaded.inputs[0].shape.map { Array($0.dropFirst()) } ?? []
        var (x, names, labels) = try readInput(sample: sample)
        if let limit, x.shape[0] > limit {
            x = x.slice(axis: 0, end: limit)
            names = names.map { Array($0.prefix(limit)) }
            labels = labels.map { Array($0.prefix(limit)) }
        }
        if loaded.inputs[0].shape != nil, !loaded.inputs[0].accepts(shape: x.shape) {
            throw IOError("input samples have shape \(Array(x.shape.dropFirst())), the model expects \(sample)", file: input)
        }
        let y = try loaded.run([x])[0]
        guard y.rank >= 1 else { throw IOError("the model's output has shape \(y.shape); expected samples along axis 0", file: model) }
        let classNames = ModelFile.classNames(in: URL(fileURLWithPath: model))
        let columns = y.shape[0] == 0 ? 1 : y.count / y.shape[0]
        let values = y.scalars
        var correct = 0
        for i in 0..<y.shape[0] {
            let row = values[(i * columns)..<((i + 1) * columns)]
            let rounded = row.map { String(format: "%.6g", $0) }.joined(separator: ", ")
            let file = names.map { ", \"file\": \(Self.quoted($0[i]))" } ?? ""
            guard columns > 1 else {
                print("{\"index\": \(i)\(file), \"outputs\": [\(rounded)]}")
                continue
            }
            let best = row.indices.max { row[$0] < row[$1] }! - i * columns
            let name = classNames.flatMap { best < $0.count ? ", \"name\": \(Self.quoted($0[best]))" : nil } ?? ""
            if let labels, labels[i] == best { correct += 1 }
            print("{\"index\": \(i)\(file), \"class\": \(best)\(name), \"probability\": \(String(format: "%.6g", row[row.startIndex + best])), \"outputs\": [\(rounded)]}")
        }
        if let labels, !labels.isEmpty {
            print(String(format: "accuracy: %.4f (%d of %d)", Double(correct) / Double(labels.count), correct, labels.count))
        }
        if let grid {
            try writeGrid(grid, x: x, y: y, classNames: classNames, labels: labels)
            print("Wrote the grid of predictions to \(grid)")
        }
    }

    /// Writes 25 samples spread evenly over the input (all of them when fewer) with their
    /// predicted classes as a labelled PNG grid.
    func writeGrid(_ path: String, x: Tensor, y: Tensor, classNames: [String]?, labels: [Int]?) throws {
        guard x.rank == 4, x.shape[3] == 1 || x.shape[3] == 3, y.rank == 2, y.shape[1] > 1 else {
            throw IOError("--grid needs image inputs [count, height, width, 1 or 3] and class scores; got inputs \(x.shape), outputs \(y.shape)", file: input)
        }
        try OutputPath.checkNotEmpty(path, what: "--grid")
        let n = x.shape[0], count = min(25, n), sampleSize = x.shape[1] * x.shape[2] * x.shape[3]
        let values = x.scalars, scores = y.scalars, classes = y.shape[1]
        let tiles = (0..<count).map { $0 * n / count }.map { i -> LabelledGrid.Tile in
            let row = scores[(i * classes)..<((i + 1) * classes)]
            let best = row.indices.max { row[$0] < row[$1] }! - i * classes
            let name = classNames.flatMap { best < $0.count ? $0[best] : nil } ?? String(best)
            let pixels = values[(i * sampleSize)..<((i + 1) * sampleSize)].map { UInt8(max(0, min(255, $0.rounded()))) }
            return LabelledGrid.Tile(pixels: pixels, caption: name, correct: labels.map { $0[i] == best })
        }
        let png = LabelledGrid.png(tiles, height: x.shape[1], width: x.shape[2], channels: x.shape[3])
        try OutputPath.checkFile(URL(fileURLWithPath: path), overwrite: true)
        try FileWriter.write(png, to: URL(fileURLWithPath: path), atomically: true)
    }

    /// The samples, the file of each (for images) and the label of each (for a folder with class subfolders).
    func readInput(sample: [Int]) throws -> (Tensor, [String]?, [Int]?) {
        let url = URL(fileURLWithPath: input)
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory)
        let fixed = sample.count == 3 && !sample.contains(-1)
        let mode: ImageDecoder.ColorMode = fixed && sample[2] == 3 ? .rgb : .grayscale
        if exists && isDirectory.boolValue {
            guard fixed else { throw IOError("the model's input \(sample) is not an image [height, width, channels]; give an .npy array", file: model) }
            let entries = try FileManager.default.contentsOfDirectory(atPath: input).filter { !$0.hasPrefix(".") }.sorted()
            let images = entries.filter { ImageFolder.extensions.contains(($0 as NSString).pathExtension.lowercased()) }
            if images.isEmpty {
                // One subfolder per class: labels are the classes' indices (as in training).
                let folder = try ImageFolder(root: url, mode: mode, imageSize: Array(sample.prefix(2)))
                let (x, y) = try folder.loadAll()
                return (x, folder.files.map { $0.url.path }, y.int32Scalars.map(Int.init))
            }
            let decoded = try images.map { try Self.image(url.appendingPathComponent($0), mode: mode, sample: sample) }
            return (Tensor.stack(decoded, axis: 0), images.map { url.appendingPathComponent($0).path }, nil)
        }
        if ImageFolder.extensions.contains(url.pathExtension.lowercased()) {
            guard fixed else { throw IOError("the model's input \(sample) is not an image [height, width, channels]", file: model) }
            return (Tensor.stack([try Self.image(url, mode: mode, sample: sample)], axis: 0), [input], nil)
        }
        if input.hasSuffix(".npy") { return (try NPYReader.read(url), nil, nil) }
        let images = try IDXReader.readImages(url, limit: limit)   // with --limit, only those images are inflated
        let fits = !sample.isEmpty && !sample.contains(-1) && sample.reduce(1, *) == images.count / max(images.shape[0], 1)
        return (images.reshape(fits ? [images.shape[0]] + sample : images.shape + [1]), nil, nil)
    }

    /// One image file as `[height, width, channels]` pixel values 0–255, resized to the model's input.
    static func image(_ url: URL, mode: ImageDecoder.ColorMode, sample: [Int]) throws -> Tensor {
        let decoded = try ImageDecoder.read(url, mode: mode)
        let pixels = decoded.height == sample[0] && decoded.width == sample[1]
            ? decoded.pixels : ImageDecoder.resized(decoded, height: sample[0], width: sample[1])
        return Tensor(pixels.map(Float.init), shape: sample)
    }

    static func quoted(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data = (try? encoder.encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
