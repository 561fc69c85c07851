import Foundation
import LeptonTensor

/// The MNIST digits (or Fashion-MNIST, same layout) from a folder of the four canonical IDX
/// files, gzipped or not.
///
/// ```swift
/// let mnist = try MNIST(directory: MNIST.defaultDirectory())
/// mnist.trainImages.shape   // [60000, 28, 28], pixel values 0–255 as float32
/// ```
public struct MNIST {
    public let trainImages: Tensor
    public let trainLabels: Tensor
    public let testImages: Tensor
    public let testLabels: Tensor

    /// Loads the four files from `directory`.
    /// - Throws: ``DataError`` naming the missing or malformed file.
    public init(directory: URL) throws {
        func file(_ stem: String) throws -> URL {
            for name in [stem + ".gz", stem] {
                let url = directory.appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: url.path) { return url }
            }
            throw DataError("MNIST file \(stem)(.gz) not found; set LEPTON_DATA_DIR to the folder holding mnist/",
                            source: directory.path)
        }
        trainImages = try IDXReader.readImages(file("train-images-idx3-ubyte"))
        trainLabels = try IDXReader.readLabels(file("train-labels-idx1-ubyte"))
        testImages = try IDXReader.readImages(file("t10k-images-idx3-ubyte"))
        testLabels = try IDXReader.readLabels(file("t10k-labels-idx1-ubyte"))
        guard trainImages.shape[0] == trainLabels.shape[0], testImages.shape[0] == testLabels.shape[0] else {
            throw DataError("image and label counts differ: train \(trainImages.shape[0]) vs \(trainLabels.shape[0]), test \(testImages.shape[0]) vs \(testLabels.shape[0])",
                            source: directory.path)
        }
    }

    /// `$LEPTON_DATA_DIR/mnist` when set, else `../shared/datasets/mnist` from the current folder.
    public static func defaultDirectory() -> URL {
        DatasetLocation.directory(named: "mnist")
    }
}

/// Where datasets live: `LEPTON_DATA_DIR` when set, else `../shared/datasets`.
public enum DatasetLocation {
    /// The root folder of the datasets.
    public static func root() -> URL {
        if let dir = ProcessInfo.processInfo.environment["LEPTON_DATA_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent("../shared/datasets").standardizedFileURL
    }

    /// A dataset's folder under ``root()``.
    public static func directory(named name: String) -> URL { root().appendingPathComponent(name) }
}
