import Foundation
import LeptonFiles
import LeptonNN
import LeptonTensor
import LeptonTrain

/// `checkpoint.json`: everything in a checkpoint that is not a tensor — the epoch, the optimizer's
/// scalars, every random generator, the history and the callbacks' scalar state. Generators are
/// written as hexadecimal words (JSON numbers lose precision past 2⁵³); floats exactly, with
/// `"inf"`, `"-inf"` and `"nan"` for the non-finite ones.
struct CheckpointManifest: Codable {
    static let format = "lepton-checkpoint"
    static let version = 1

    struct OptimizerRecord: Codable {
        var type: String
        var iterations: Int
        var learningRate: Float
        var parameterCount: Int
        enum CodingKeys: String, CodingKey {
            case type, iterations, learningRate = "learning_rate", parameterCount = "parameter_count"
        }
    }

    struct RandomRecord: Codable {
        var global: [String]?
        var layers: [String: [String]]
    }

    struct CallbackRecord: Codable {
        var type: String
        var values: [String: ConfigValue]
        var tensors: [String]
    }

    var format = Self.format
    var version = Self.version
    var epochsCompleted: Int
    var optimizer: OptimizerRecord?
    var random: RandomRecord
    var history: [String: [Float]]
    var historyEpochs: [Int]
    var callbacks: [CallbackRecord]

    enum CodingKeys: String, CodingKey {
        case format, version, epochsCompleted = "epochs_completed", optimizer, random, history
        case historyEpochs = "history_epochs", callbacks
    }

    static func hex(_ generator: RandomGenerator) -> [String] {
        generator.state.map { String($0, radix: 16) }
    }

    /// A generator from its hexadecimal words.
    /// - Throws: ``IOError`` naming `what` when the words are not a generator state.
    static func generator(_ words: [String], _ what: String, file: String) throws -> RandomGenerator {
        let values = words.compactMap { UInt64($0, radix: 16) }
        guard values.count == words.count, let g = RandomGenerator(state: values) else {
            throw IOError("checkpoint.json: \(what) is not a random generator state (expected 4 hexadecimal words, not all zero), got \(words)", file: file)
        }
        return g
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }

    /// Reads and checks `checkpoint.json`.
    /// - Throws: ``IOError`` naming the file and what is wrong.
    static func decode(_ data: Data, file: String) throws -> CheckpointManifest {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let manifest: CheckpointManifest
        do { manifest = try decoder.decode(CheckpointManifest.self, from: data) } catch let error as DecodingError {
            throw IOError("checkpoint.json is not a Lepton checkpoint manifest (\(error.oneLineDescription))", file: file)
        } catch {
            throw IOError("checkpoint.json is not valid JSON", file: file)
        }
        guard manifest.format == format else {
            throw IOError("checkpoint.json: format is \"\(manifest.format)\", expected \"\(format)\"", file: file)
        }
        guard manifest.version == version else {
            throw IOError("checkpoint.json: version \(manifest.version) is not supported (expected \(version))", file: file)
        }
        guard manifest.epochsCompleted >= 0 else {
            throw IOError("checkpoint.json: epochs_completed must be ≥ 0, got \(manifest.epochsCompleted)", file: file)
        }
        if let o = manifest.optimizer, o.iterations < 0 || o.parameterCount < 0 || !o.learningRate.isFinite {
            throw IOError("checkpoint.json: optimizer iterations and parameter_count must be ≥ 0 and learning_rate finite", file: file)
        }
        return manifest
    }
}
