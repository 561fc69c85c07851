import ArgumentParser
import Foundation
import LeptonEmbed
import LeptonJobs
import LeptonTrain

/// `lepton embed CONFIG.yaml`: trains an embedding model (triplet, contrastive, ArcFace or CosFace
/// loss; or a softmax classifier as the baseline) and verifies it open-set on identities the
/// `embedding:` section holds out, ending with `ROC AUC A, TAR@FAR=1e-2 T, threshold C`.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Train an embedding model from a YAML config and verify it on held-out identities (ROC AUC, TAR@FAR, threshold).",
        discussion: "The config's model.layers are the embedding network; loss is triplet_semi_hard, triplet_batch_hard, contrastive, arcface, cosface, or sparse_categorical_crossentropy (the classifier baseline: its penultimate layer is the embedding). See examples/open-set-embed.yaml."
    )

    @Argument(help: "The config, e.g. examples/open-set-embed.yaml.")
    var config: String

    @OptionGroup var training: TrainingOutputOptions

    @Option(help: ArgumentHelp("Draw the ROC curve into this PNG (overrides embedding.roc; default: roc.png in the saved model's folder).", valueName: "png"))
    var roc: String?

    @Option(help: ArgumentHelp("Override the config's loss (e.g. sparse_categorical_crossentropy for the classifier baseline).", valueName: "name"))
    var loss: String?

    @OptionGroup var common: CommonOptions

    func run() throws {
        common.apply()
        var trainingConfig = try TrainingConfig.load(config)
        if let loss {
            do { trainingConfig.loss = try LossFunction(named: loss) } catch { throw ValidationError("--loss: \(error)") }
            if trainingConfig.loss.name == "sparse_categorical_crossentropy" && trainingConfig.metrics.isEmpty { trainingConfig.metrics = ["accuracy"] }
            if LossFunction.embeddingNames.contains(trainingConfig.loss.name) { trainingConfig.metrics = [] }
        }
        let job = try EmbeddingJob(config: trainingConfig, options: training.jobOptions(common))
        // Given, or config's, or roc.png in the saved model's folder.
        let rocPath = roc ?? job.settings.roc ?? job.outputPath.map { ($0.hasSuffix("/") ? $0 : $0 + "/") + "roc.png" }
        if let rocPath, roc != nil || job.settings.roc != nil {
            let folder = URL(fileURLWithPath: rocPath).deletingLastPathComponent().path
            guard FileManager.default.fileExists(atPath: folder) else {
                throw ValidationError("--roc \(rocPath): the folder \(folder) does not exist")
            }
        }
        let result = try job.run()
        if let path = rocPath {
            try result.verification.rocChart(title: "Open-set verification, \(trainingConfig.loss.name)").write(to: URL(fileURLWithPath: path))
            print("Wrote the ROC curve to \(path)")
        }
    }
}
