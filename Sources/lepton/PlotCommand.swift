import ArgumentParser
import Foundation
import LeptonFiles
import LeptonPlot

/// `lepton plot HISTORY.csv --out curves.png`: learning curves of a training run — one panel per
/// metric, training solid and validation dashed — from the CSV log a `CSVLogger` callback writes
/// or the JSON lines of `lepton train --metrics-file`.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot", abstract: "Plot a training history (a CSVLogger CSV or --metrics-file JSON lines) as learning curves in a PNG.",
        discussion: "One panel per metric (loss, accuracy, …): training solid, validation (val_…) dashed in the same colour.")

    @Argument(help: "A CSV log as the CSVLogger callback writes it (epoch,loss,accuracy,val_loss,val_accuracy,…), or the JSON lines of `lepton train --metrics-file`.")
    var history: String

    @Option(help: ArgumentHelp("The PNG to write (a regular file there is replaced).", valueName: "file"))
    var out: String

    @Option(help: "Image width in pixels, \(Self.sizes.lowerBound)...\(Self.sizes.upperBound) (default: 560 per panel, two panels a row).")
    var width: Int?

    @Option(help: "Image height in pixels, \(Self.sizes.lowerBound)...\(Self.sizes.upperBound) (default: 420 per row of panels).")
    var height: Int?

    /// The sizes `--width` and `--height` accept.
    static let sizes = 160...8192

    func validate() throws {
        for (flag, value) in [("--width", width), ("--height", height)] {
            if let value, !Self.sizes.contains(value) {
                throw ValidationError("\(flag): expected a number of pixels in \(Self.sizes.lowerBound)...\(Self.sizes.upperBound), got \(value)")
            }
        }
    }

    /// Checks, before any work, that a PNG may be written at `path` (given by `flag`): not empty,
    /// no device, FIFO, link or folder there, and its folder exists.
    static func checkImagePath(_ path: String, flag: String) throws {
        try OutputPath.checkNotEmpty(path, what: flag)
        let url = URL(fileURLWithPath: path)
        try OutputPath.checkFile(url, overwrite: true)
        var isFolder: ObjCBool = false
        let folder = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw ValidationError("\(flag) \(path): the folder \(folder) does not exist; expected a path in an existing folder")
        }
    }

    func run() throws {
        try Self.checkImagePath(out, flag: "--out")
        let target = URL(fileURLWithPath: out)
        let curves = TrainingCurves(history: try TrainingHistory.load(URL(fileURLWithPath: history)))
        let canvas = try curves.render(width: width, height: height)
        try canvas.write(to: target)
        print("Wrote \(out): \(canvas.width)×\(canvas.height), \(curves.plottedMetrics.joined(separator: ", ")) over \(curves.history.epochs.count) epochs")
    }
}
