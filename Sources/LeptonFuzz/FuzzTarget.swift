import Foundation

/// One reader fed arbitrary bytes, as libFuzzer (`scripts/fuzz.sh`) and the regression tests
/// drive it.
///
/// A target's contract is the project's rule for input: whatever the bytes, the reader either
/// accepts them or throws an error naming what was wrong. A crash, a hang or an unbounded
/// allocation is a bug; the fuzzer reports it, and the input that found it becomes a file under
/// `Tests/LeptonFuzzTests/Regressions/<target>/` that the test suite replays.
public struct FuzzTarget: Sendable {
    /// What a reader made of one input.
    public enum Outcome: Sendable, Equatable {
        /// The input was read (and, for models, run on a small input).
        case accepted
        /// The reader threw; the message is its error.
        case rejected(String)
    }

    /// The name `scripts/fuzz.sh` and `LEPTON_FUZZ_TARGET` use (`safetensors`, `onnx`, …).
    public let name: String
    /// What the target reads, for `scripts/fuzz.sh --list`.
    public let summary: String
    let body: @Sendable (Data, FuzzScratch) throws -> Void
    let makeSeeds: @Sendable (FuzzScratch) throws -> [Data]

    init(_ name: String, _ summary: String,
         seeds: @escaping @Sendable (FuzzScratch) throws -> [Data],
         body: @escaping @Sendable (Data, FuzzScratch) throws -> Void) {
        self.name = name
        self.summary = summary
        self.body = body
        self.makeSeeds = seeds
    }

    /// Feeds one input to the reader.
    public func run(_ data: Data, scratch: FuzzScratch) -> Outcome {
        do {
            try body(data, scratch)
            return .accepted
        } catch {
            return .rejected(String(describing: error))
        }
    }

    /// Valid inputs to start the fuzzer from, made by the project's own writers (a saved model,
    /// an exported ONNX graph, encoded tensors) or read from its example files and datasets.
    public func seeds(scratch: FuzzScratch) throws -> [Data] {
        try makeSeeds(scratch)
    }
}

/// A private folder for targets whose reader takes a path rather than bytes.
public final class FuzzScratch: @unchecked Sendable {
    /// The folder, removed when the scratch is released.
    public let folder: URL

    /// Makes a new folder under the temporary directory.
    public init() throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("lepton-fuzz-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// Writes `data` to `name` in the folder (replacing an earlier input) and returns its URL.
    func file(_ name: String, _ data: Data) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try data.write(to: url)
        return url
    }

    /// A fresh sub-folder `name`, emptied first.
    func emptyFolder(_ name: String) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
