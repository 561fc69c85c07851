import Foundation
import LeptonData
import LeptonIO
import LeptonJobs
import LeptonNN
import LeptonTensor
import LeptonTrain

/// Trains an embedding model from a training config and verifies it open-set: the config's
/// `model.layers` are the embedding network, its `loss` picks the method, and the `embedding:`
/// section (``EmbeddingSettings``) which identities train and which verify.
///
/// - `triplet_semi_hard`, `triplet_batch_hard`, `contrastive`: trained on the embeddings directly;
/// - `arcface`, `cosface`: through a ``LeptonNN/CosineDense`` head over the training identities;
/// - `sparse_categorical_crossentropy`: the baseline, a plain softmax classifier over the training
///   identities whose penultimate layer (the configured network's output) is the embedding.
///
/// Heads are dropped after training: the saved model maps a sample to its embedding.
public final class EmbeddingJob {
    public let config: TrainingConfig
    public let settings: EmbeddingSettings
    public let options: TrainingJob.Options

    /// What a run gives.
    public struct Result {
        public let history: [String: [Float]]
        public let verification: VerificationReport
        public let trainingSeconds: Double
        /// The embedding model (preprocessing and configured layers, without the training head).
        public let model: Sequential
        public let savedTo: String?
    }

    /// - Throws: ``LeptonNN/ConfigError`` for a bad `embedding:` section or a loss that trains no embedding.
    public init(config: TrainingConfig, options: TrainingJob.Options = TrainingJob.Options()) throws {
        self.config = config
        self.options = options
        do { settings = try EmbeddingSettings(config.embedding) } catch let error as ConfigError {
            throw ConfigError("\(config.file): \(error.description)")
        }
        _ = try head(classes: 1)
    }

    /// Where the model is saved: the options' output, else the config's.
    public var outputPath: String? { options.output ?? config.output }

    /// Loads the data, trains, verifies on the test identities and saves the embedding model.
    public func run() throws -> Result {
        try GlobalRandom.scoped(seed: options.seed ?? config.seed) { try train() }
    }

    private func train() throws -> Result {
        let all = try config.loadData(for: "lepton embed (it scores pairs of held-out samples)")
        let (trainX, trainY, identities) = try Self.select(all.trainX, all.trainY, classes: settings.trainClasses, split: "training",
                                                           renumber: true, file: config.file)
        let (testX, testY, _) = try Self.select(all.testX, all.testY, classes: settings.testClasses, split: "test",
                                                renumber: false, file: config.file)
        let data = DatasetSplits(trainX: trainX, trainY: trainY, testX: testX, testY: testY,
                                 textVectorization: all.textVectorization, classNames: nil)
        let embedding = try config.buildModel(for: try DatasetParts(data))
        let inputShape = data.inputShape, dtype = trainX.dtype
        let trainer = Sequential(embedding.layers + (try head(classes: identities)))
        trainer.shuffleSeed = options.seed ?? config.seed
        trainer.build(inputShape: inputShape, dtype: dtype)
        try trainer.compile(optimizer: config.optimizer, loss: config.loss, metrics: config.metrics.map { MetricSpec(named: $0) })
        let verbose = options.verbosity != .silent
        if verbose {
            print(trainer.summary(inputShape: inputShape, dtype: dtype))
            print("Training the embedding on \(trainX.shape[0]) samples of \(identities) identities; verifying on \(testX.shape[0]) samples of \(Set(testY.int32Scalars).count) identities")
            fflush(stdout)
        }
        let start = Date()
        let history = try trainer.fit(x: trainX, y: trainY, epochs: options.epochs ?? config.epochs,
                                      batchSize: options.batchSize ?? config.batchSize, validationSplit: config.validationSplit,
                                      callbacks: try config.buildCallbacks(inputShape: inputShape, dtype: dtype),
                                      verbose: options.verbosity, augmentation: config.augmentation)
        let seconds = Date().timeIntervalSince(start)
        embedding.eval()
        let embeddings = embedding.predict(testX, batchSize: 256)
        let report = try VerificationReport(embeddings: embeddings, labels: testY.int32Scalars.map(Int.init),
                                            falseAcceptRates: settings.falseAcceptRates)
        if verbose { print(String(format: "Trained in %.1f s. Open-set verification: ", seconds) + report.summary) }
        if let path = outputPath {
            let url = URL(fileURLWithPath: path)
            try ModelFile.save(embedding, to: url, inputShape: inputShape, inputDType: dtype, overwrite: options.overwrite)
            try EmbeddingModelInfo(report: report).write(into: url)
            if verbose { print("Saved the embedding model to \(path)") }
        }
        return Result(history: history.history, verification: report, trainingSeconds: seconds, model: embedding, savedTo: outputPath)
    }

    /// The layers trained after the embedding for this config's loss.
    private func head(classes: Int) throws -> [Module] {
        switch config.loss.name {
        case "arcface", "cosface": return [CosineDense(units: classes)]
        case "sparse_categorical_crossentropy": return [Dense(units: classes, activation: .softmax)]
        case let name where LossFunction.embeddingNames.contains(name):
            guard config.metrics.isEmpty else {
                throw ConfigError("\(config.file): metrics: \(config.metrics) need class scores; loss \(name) trains embeddings only (remove metrics)")
            }
            return []
        default:
            throw ConfigError("\(config.file): loss: \(config.loss.name) trains no embedding; expected one of \((LossFunction.embeddingNames + ["sparse_categorical_crossentropy"]).joined(separator: ", "))")
        }
    }

    /// The samples of `classes` (all when nil), their labels renumbered 0… in the order given
    /// when `renumber`, and how many identities remain.
    static func select(_ x: Tensor, _ y: Tensor, classes: [Int]?, split: String, renumber: Bool,
                       file: String) throws -> (Tensor, Tensor, Int) {
        guard y.dtype == .int32, y.rank == 1 else {
            throw ConfigError("\(file): embedding: the \(split) split's labels are \(y.dtype) \(y.shape); expected int32 class ids")
        }
        let labels = y.int32Scalars.map(Int.init)
        let wanted = classes ?? Array(Set(labels)).sorted()
        let position = Dictionary(uniqueKeysWithValues: wanted.enumerated().map { ($1, $0) })
        let kept = labels.indices.filter { position[labels[$0]] != nil }
        guard !kept.isEmpty else {
            throw ConfigError("\(file): embedding: no sample of the \(split) split has a class in \(wanted)")
        }
        let newLabels = kept.map { Int32(renumber ? position[labels[$0]]! : labels[$0]) }
        return (x.indexSelect(axis: 0, Tensor(int32: kept.map(Int32.init), shape: [kept.count])),
                Tensor(int32: newLabels, shape: [kept.count]), wanted.count)
    }
}
