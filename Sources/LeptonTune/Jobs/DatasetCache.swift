import Foundation
import LeptonData
import LeptonJobs
import LeptonNN

/// The dataset a worker's trials train on, loaded once: trials differ in the searched values,
/// rarely in `dataset:`, and reading and decoding the files (MNIST: 1 s on one core) would
/// otherwise cost every trial — a pruned one most of all. Holds the last dataset loaded; a
/// trial whose `dataset:` section differs (a searched `dataset.…` key) loads its own and
/// takes the cache's place. Training only reads the data (tensors, or views of files for a
/// streamed dataset), so trials may share them.
final class DatasetCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entry: (section: [String: ConfigValue], data: DatasetParts)?

    private var loadCount = 0

    /// How many times a dataset was loaded rather than reused.
    var loads: Int {
        lock.lock()
        defer { lock.unlock() }
        return loadCount
    }

    /// The dataset `training` names: the cached one when its `dataset:` section is the same.
    /// - Throws: what ``LeptonJobs/TrainingConfig/loadParts()`` throws.
    func data(for training: TrainingConfig) throws -> DatasetParts {
        lock.lock()
        defer { lock.unlock() }
        if let entry, entry.section == training.dataset.values { return entry.data }
        entry = nil
        let data = try training.loadParts()
        loadCount += 1
        entry = (training.dataset.values, data)
        return data
    }
}
