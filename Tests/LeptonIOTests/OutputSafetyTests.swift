import Foundation
import LeptonIO
import LeptonNN
import LeptonTensor
import LeptonTrain
import Testing

/// Saving never destroys what Lepton did not write (issue 19: `--output .` wiped a folder,
/// ModelCheckpoint turned /dev/null into a folder, CSVLogger replaced /dev/full with a file).
@Suite struct OutputSafetyTests {
    static func model() -> Sequential { Sequential([Dense(units: 2, inputDimensions: 3)]) }

    static func fifo(in dir: URL) -> URL {
        let url = dir.appendingPathComponent("pipe")
        #expect(mkfifo(url.path, 0o644) == 0)
        return url
    }

    @Test func aFolderOfOtherFilesIsLeftAsItWas() throws {
        try withTemporaryDirectory("others") { dir in
            try "mine".write(to: dir.appendingPathComponent("thesis.txt"), atomically: true, encoding: .utf8)
            let message = errorMessage { try ModelFile.save(Self.model(), to: dir) }
            #expect(message.contains("is a folder of other files (1 entries: thesis.txt)"), "\(message)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["thesis.txt"])
            #expect(try String(contentsOf: dir.appendingPathComponent("thesis.txt"), encoding: .utf8) == "mine")
        }
    }

    @Test func aModelFolderIsReplacedOnlyWhenAllowed() throws {
        try withTemporaryDirectory("replace") { dir in
            let url = dir.appendingPathComponent("model")
            try ModelFile.save(Self.model(), to: url)
            let message = errorMessage { try ModelFile.save(Self.model(), to: url, overwrite: false) }
            #expect(message.contains("holds a Lepton model folder already; pass --overwrite"), "\(message)")
            try ModelFile.save(Self.model(), to: url, overwrite: true)
            _ = try ModelFile.load(from: url)
        }
    }

    @Test func aFIFOOrALinkIsNeverReplacedByAModelFolder() throws {
        try withTemporaryDirectory("special") { dir in
            let pipe = Self.fifo(in: dir)
            #expect(errorMessage { try ModelFile.save(Self.model(), to: pipe) }.contains("is a FIFO"))
            let target = dir.appendingPathComponent("target")
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            let link = dir.appendingPathComponent("link")
            try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
            #expect(errorMessage { try ModelFile.save(Self.model(), to: link) }.contains("is a symbolic link"))
            #expect(FileKindCheck.isFIFO(pipe) && FileKindCheck.isLink(link))
        }
    }

    @Test func modelCheckpointOnAFIFOStopsTrainingBeforeTheFirstEpoch() throws {
        try withTemporaryDirectory("checkpoint") { dir in
            let pipe = Self.fifo(in: dir)
            let model = Self.model()
            try model.compile(optimizer: "sgd", loss: "mse")
            let x = Tensor.ones([4, 3]), y = Tensor.ones([4, 2])
            var epochs = 0
            let message = errorMessage {
                try model.fit(x: x, y: y, epochs: 2, batchSize: 2,
                              callbacks: [ModelCheckpoint(url: pipe), LambdaCallback(onEpochEnd: { _, _, _ in epochs += 1 })],
                              verbose: .silent)
            }
            #expect(message.contains("ModelCheckpoint: is a FIFO"), "\(message)")
            #expect(epochs == 0 && FileKindCheck.isFIFO(pipe))
        }
    }

    @Test func csvLoggerStopsTrainingRatherThanOverwriteOtherData() throws {
        try withTemporaryDirectory("csv") { dir in
            let notes = dir.appendingPathComponent("notes.csv")
            try "name,phone\nAda,123\n".write(to: notes, atomically: true, encoding: .utf8)
            let model = Self.model()
            try model.compile(optimizer: "sgd", loss: "mse")
            let x = Tensor.ones([4, 3]), y = Tensor.ones([4, 2])
            let message = errorMessage { try model.fit(x: x, y: y, epochs: 1, batchSize: 2, callbacks: [CSVLogger(url: notes)], verbose: .silent) }
            #expect(message.contains("holds something other than a log"), "\(message)")
            #expect(try String(contentsOf: notes, encoding: .utf8) == "name,phone\nAda,123\n")
            let pipe = Self.fifo(in: dir)
            #expect(errorMessage { try model.fit(x: x, y: y, epochs: 1, batchSize: 2, callbacks: [CSVLogger(url: pipe, append: true)], verbose: .silent) }
                .contains("is a FIFO"))
        }
    }
}

/// lstat-based checks that a special file is still what it was.
enum FileKindCheck {
    static func mode(_ url: URL) -> mode_t {
        var info = stat()
        return lstat(url.path, &info) == 0 ? info.st_mode & S_IFMT : 0
    }
    static func isFIFO(_ url: URL) -> Bool { mode(url) == S_IFIFO }
    static func isLink(_ url: URL) -> Bool { mode(url) == S_IFLNK }
}
