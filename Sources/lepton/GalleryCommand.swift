import ArgumentParser
import Foundation
import LeptonData
import LeptonEmbed
import LeptonONNX
import LeptonTensor

/// `lepton gallery enroll|verify|identify|evaluate`: face-recognition-style use of an embedding
/// model (`lepton embed`): enroll the identities of a `<identity>/*.png|jpg` folder, verify a pair,
/// identify a probe among the enrolled (top-k, rejected below the threshold), and measure
/// verification on a labelled folder (ROC AUC, TAR at target false accept rates, threshold).
struct GalleryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gallery",
        abstract: "Enroll identities, verify pairs, identify probes and evaluate verification with an embedding model.",
        discussion: "The threshold defaults to the one `lepton embed` chose on held-out identities (embedding.json in the model folder).",
        subcommands: [Enroll.self, Verify.self, Identify.self, Evaluate.self]
    )

    struct Enroll: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "enroll", abstract: "Enroll every identity of an <identity>/*.png|jpg folder into a gallery file.")
        @Argument(help: "The embedding model folder.") var model: String
        @Argument(help: "A folder with one subfolder of images per identity.") var folder: String
        @Option(help: "Where to write the gallery (JSON).") var out: String
        @Option(help: "Accept threshold stored in the gallery (default: the model's).") var threshold: Double?
        @OptionGroup var detection: DetectorOptions
        @OptionGroup var common: CommonOptions

        func run() throws {
            common.apply()
            let embedder = try Embedder(model)
            let (embeddings, labels, names) = try embedder.embedFolder(folder, detector: try detection.load())
            let gallery = try Gallery(embeddings: embeddings, labels: labels, names: names,
                                      threshold: try GalleryCommand.threshold(threshold, model: model))
            try gallery.write(to: URL(fileURLWithPath: out))
            print("Enrolled \(names.count) identities from \(labels.count) images into \(out)")
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "verify", abstract: "Whether two images show the same identity (cosine similarity ≥ threshold).")
        @Argument(help: "The embedding model folder.") var model: String
        @Argument(help: "The first image.") var first: String
        @Argument(help: "The second image.") var second: String
        @Option(help: "Accept threshold (default: the model's).") var threshold: Double?
        @OptionGroup var common: CommonOptions

        func run() throws {
            common.apply()
            let embedder = try Embedder(model)
            let similarity = try Gallery.similarity(try embedder.embedImage(first), try embedder.embedImage(second))
            guard let limit = try GalleryCommand.threshold(threshold, model: model) else {
                throw ValidationError("--threshold: the model folder has no embedding.json; give the accept threshold")
            }
            print(String(format: "similarity %.4f, threshold %.4f: %@", similarity, limit, similarity >= limit ? "same identity" : "different identities"))
        }
    }

    struct Identify: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "identify", abstract: "The enrolled identities most like an image, or unknown below the threshold.")
        @Argument(help: "The embedding model folder.") var model: String
        @Argument(help: "The gallery written by enroll.") var gallery: String
        @Argument(help: "The probe image.") var image: String
        @Option(help: "How many candidates to list, 1...100.") var topK = 5
        @Option(help: "Reject threshold (default: the gallery's).") var threshold: Double?
        @OptionGroup var detection: DetectorOptions
        @OptionGroup var common: CommonOptions

        func validate() throws {
            guard (1...100).contains(topK) else { throw ValidationError("--top-k: expected an integer in 1...100, got \(topK)") }
            try GalleryCommand.checkThreshold(threshold)
        }

        func run() throws {
            common.apply()
            var enrolled = try Gallery.read(from: URL(fileURLWithPath: gallery))
            if let threshold { enrolled.threshold = threshold }
            if let detector = try detection.load() {
                let (name, probability) = try detector.classify(URL(fileURLWithPath: image))
                guard name == detection.detectClass else {
                    print(String(format: "identity: none (the detector sees %@, p=%.3f, not %@)", name, probability, detection.detectClass))
                    return
                }
            }
            let matches = try enrolled.identify(try Embedder(model).embedImage(image), topK: topK)
            let best = matches[0]
            print(enrolled.accepts(best) ? "identity: \(best.name)" : "identity: unknown (best \(best.name) below the threshold)")
            for m in matches { print(String(format: "  %@ %.4f", m.name, m.similarity)) }
        }
    }

    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "evaluate", abstract: "Verification over every pair of a labelled folder: ROC AUC, TAR at each false accept rate, threshold.")
        @Argument(help: "The embedding model folder.") var model: String
        @Argument(help: "A folder with one subfolder of images per identity.") var folder: String
        @Option(parsing: .upToNextOption, help: "Target false accept rates, in (0, 1).") var far: [Double] = [1e-2, 1e-3]
        @Option(help: ArgumentHelp("Draw the ROC curve into this PNG.", valueName: "png")) var roc: String?
        @OptionGroup var common: CommonOptions

        func validate() throws {
            if let bad = far.first(where: { !($0 > 0 && $0 < 1) }) { throw ValidationError("--far: expected rates in (0, 1), got \(bad)") }
        }

        func run() throws {
            common.apply()
            let (embeddings, labels, names) = try Embedder(model).embedFolder(folder)
            let report = try VerificationReport(embeddings: embeddings, labels: labels, falseAcceptRates: far)
            print("\(report.samples) images of \(names.count) identities, \(report.roc.genuineCount) genuine and \(report.roc.impostorCount) impostor pairs")
            print(report.summary)
            if let roc {
                try report.rocChart(title: "Verification on \(URL(fileURLWithPath: folder).lastPathComponent)").write(to: URL(fileURLWithPath: roc))
                print("Wrote the ROC curve to \(roc)")
            }
        }
    }

    /// `given`, else the threshold `lepton embed` saved beside the model.
    static func threshold(_ given: Double?, model: String) throws -> Double? {
        try checkThreshold(given)
        return try given ?? EmbeddingModelInfo.read(from: URL(fileURLWithPath: model))?.threshold
    }

    static func checkThreshold(_ value: Double?) throws {
        if let value, !(value.isFinite && value >= -1 && value <= 1.0.nextUp) {
            throw ValidationError("--threshold: expected a cosine similarity in -1...1, got \(value)")
        }
    }
}

/// An embedding model and how its images are read: grey or RGB at its input size.
struct Embedder {
    let loaded: LoadedModel
    let sample: [Int]
    let path: String

    init(_ path: String) throws {
        self.path = path
        loaded = try ModelLoader.load(URL(fileURLWithPath: path))
        let shape = loaded.inputs.first?.shape.map { Array($0.dropFirst()) } ?? []
        guard loaded.inputs.count == 1, shape.count == 3, !shape.contains(-1), shape[2] == 1 || shape[2] == 3 else {
            throw ValidationError("\(path): expected an embedding model of images [height, width, 1 or 3], got inputs \(loaded.inputs.map { $0.shape ?? [] })")
        }
        sample = shape
    }

    var mode: ImageDecoder.ColorMode { sample[2] == 3 ? .rgb : .grayscale }

    /// The embedding of one image file.
    func embedImage(_ file: String) throws -> [Float] {
        let x = Tensor.stack([try PredictCommand.image(URL(fileURLWithPath: file), mode: mode, sample: sample)], axis: 0)
        return try embed(x).scalars
    }

    /// The embeddings of every image of a `<identity>/*` folder (those `detector` accepts, when
    /// given), their labels and the identities' names.
    func embedFolder(_ folder: String, detector: GalleryDetector? = nil) throws -> (Tensor, [Int], [String]) {
        let images = try ImageFolder(root: URL(fileURLWithPath: folder), mode: mode, imageSize: Array(sample.prefix(2)))
        var (x, y) = try images.loadAll()
        if let detector {
            let kept = try images.files.indices.filter { try detector.accepts(images.files[$0].url) }
            print("The detector let \(kept.count) of \(images.files.count) images through")
            guard !kept.isEmpty else { throw ValidationError("--detector: no image of \(folder) is of class \(detector.classNames[detector.acceptedIndex])") }
            let index = Tensor(int32: kept.map(Int32.init), shape: [kept.count])
            (x, y) = (x.indexSelect(axis: 0, index), y.indexSelect(axis: 0, index))
        }
        var rows: [Tensor] = []
        var start = 0
        while start < x.shape[0] {
            let end = min(start + 256, x.shape[0])
            rows.append(try embed(x.slice(axis: 0, start: start, end: end)))
            start = end
        }
        return (Tensor.concatenate(rows, axis: 0), y.int32Scalars.map(Int.init), images.classNames)
    }

    private func embed(_ x: Tensor) throws -> Tensor {
        let y = try loaded.run([x])[0]
        guard y.rank == 2 else { throw ValidationError("\(path): expected embeddings [batch, dimensions] out, got \(y.shape)") }
        return y
    }
}
