import ArgumentParser
import Foundation
import LeptonData
import LeptonIO
import LeptonONNX
import LeptonTensor

/// The detector stage in front of a gallery: a classifier (e.g. the face / non-face model of
/// `examples/faces-cnn.yaml`) whose top class must be `accepted` for an image to be enrolled or
/// identified.
struct GalleryDetector {
    let loaded: LoadedModel
    let sample: [Int]
    let classNames: [String]
    let acceptedIndex: Int

    /// Loads the detector model at `path` and finds class `accepted` among its class names.
    init(_ path: String, accepted: String) throws {
        loaded = try ModelLoader.load(URL(fileURLWithPath: path))
        let shape = loaded.inputs.first?.shape.map { Array($0.dropFirst()) } ?? []
        guard loaded.inputs.count == 1, shape.count == 3, !shape.contains(-1), shape[2] == 1 || shape[2] == 3 else {
            throw ValidationError("--detector \(path): expected an image classifier [height, width, 1 or 3], got inputs \(loaded.inputs.map { $0.shape ?? [] })")
        }
        guard let names = ModelFile.classNames(in: URL(fileURLWithPath: path)), let index = names.firstIndex(of: accepted) else {
            throw ValidationError("--detector \(path): expected a model with class names including \"\(accepted)\" (--detect-class); it has \(ModelFile.classNames(in: URL(fileURLWithPath: path)) ?? [])")
        }
        sample = shape
        classNames = names
        acceptedIndex = index
    }

    /// The detector's top class for the image file and its probability.
    func classify(_ file: URL) throws -> (name: String, probability: Float) {
        let mode: ImageDecoder.ColorMode = sample[2] == 3 ? .rgb : .grayscale
        let x = Tensor.stack([try PredictCommand.image(file, mode: mode, sample: sample)], axis: 0)
        let scores = try loaded.run([x])[0].scalars
        guard scores.count == classNames.count, let best = scores.indices.max(by: { scores[$0] < scores[$1] }) else {
            throw ValidationError("--detector: expected \(classNames.count) class scores per image, got \(scores.count)")
        }
        return (classNames[best], scores[best])
    }

    /// Whether the detector accepts the image file.
    func accepts(_ file: URL) throws -> Bool { try classify(file).name == classNames[acceptedIndex] }
}

/// `--detector MODEL --detect-class NAME`, shared by `gallery enroll` and `gallery identify`.
struct DetectorOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A classifier run first on every image (e.g. a face / non-face model); images whose top class is not --detect-class are skipped.", valueName: "model"))
    var detector: String?

    @Option(help: "The detector's class that lets an image through.")
    var detectClass = "face"

    func load() throws -> GalleryDetector? { try detector.map { try GalleryDetector($0, accepted: detectClass) } }
}
