import Foundation
import LeptonData
import LeptonTensor
import LeptonTestSupport
import Testing

/// `lepton embed` then `lepton gallery enroll|identify|verify|evaluate`, as a user runs them: an
/// embedding trained on MNIST digits 0–4, used on image folders of digits 5–9 it never saw.
@Suite struct EmbedCommandTests {
    @Test(.timeLimit(.minutes(5))) func embedThenEnrollIdentifyVerifyAndEvaluate() async throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-embed")
        defer { try? FileManager.default.removeItem(at: dir) }
        let environment = ["LEPTON_DATA_DIR": DashboardBrowserTests.datasets.path]
        try """
        dataset: {name: mnist, train_limit: 3000, test_limit: 500, standardize: true}
        model:
          layers: [{type: Flatten}, {type: Dense, units: 64, activation: relu}, {type: Dense, units: 16}, {type: UnitNormalization}]
        loss: {name: triplet_batch_hard, margin: 0.3}
        epochs: 1
        batch_size: 100
        embedding: {train_classes: [0, 1, 2, 3, 4], test_classes: [5, 6, 7, 8, 9], false_accept_rates: [0.1]}
        output: model
        """.write(to: dir.appendingPathComponent("embed.yaml"), atomically: true, encoding: .utf8)
        let trained = try await DashboardBrowserTests.offPool {
            try LeptonExecutable.run(["embed", "embed.yaml", "--roc", "roc.png"], in: dir, environment: environment)
        }
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(trained.stdout.contains("Open-set verification: ROC AUC 0.") && trained.stdout.contains("TAR@FAR=1e-1 "), "\(trained.stdout)")
        let roc = try ImageDecoder.read(dir.appendingPathComponent("roc.png"), mode: .rgb)
        #expect(roc.width >= 400 && roc.height >= 300)

        // Ten test images of each digit 5–9, as `<identity>/<n>.png`.
        let mnist = DashboardBrowserTests.datasets.appendingPathComponent("mnist")
        let images = try IDXReader.readImages(mnist.appendingPathComponent("t10k-images-idx3-ubyte.gz"), limit: 400)
        let labels = try IDXReader.readLabels(mnist.appendingPathComponent("t10k-labels-idx1-ubyte.gz"), limit: 400).int32Scalars
        let pixels = images.scalars
        var written = [Int: Int]()
        for i in labels.indices where labels[i] >= 5 && written[Int(labels[i]), default: 0] < 10 {
            let digit = Int(labels[i]), n = written[digit, default: 0]
            let folder = dir.appendingPathComponent("people/digit\(digit)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let bytes = pixels[(i * 784)..<((i + 1) * 784)].map { UInt8($0) }
            try PNGWriter.encode(width: 28, height: 28, channels: 1, bytes: bytes).write(to: folder.appendingPathComponent("\(n).png"))
            written[digit] = n + 1
        }
        #expect(written.values.allSatisfy { $0 == 10 } && written.count == 5)

        let enrolled = try LeptonExecutable.run(["gallery", "enroll", "model", "people", "--out", "gallery.json"], in: dir)
        #expect(enrolled.status == 0 && enrolled.stdout.contains("Enrolled 5 identities from 50 images"), "\(enrolled.stderr)")
        let identified = try LeptonExecutable.run(["gallery", "identify", "model", "gallery.json", "people/digit7/0.png", "--top-k", "3"], in: dir)
        #expect(identified.status == 0 && identified.stdout.hasPrefix("identity: "), "\(identified.stderr)")
        #expect(identified.stdout.split(separator: "\n").count == 4, "\(identified.stdout)")
        let verified = try LeptonExecutable.run(["gallery", "verify", "model", "people/digit7/0.png", "people/digit7/0.png"], in: dir)
        #expect(verified.status == 0 && verified.stdout.hasPrefix("similarity 1.0000") && verified.stdout.contains("same identity"), "\(verified.stdout)\(verified.stderr)")
        let evaluated = try LeptonExecutable.run(["gallery", "evaluate", "model", "people", "--far", "0.1", "--roc", "folder-roc.png"], in: dir)
        #expect(evaluated.status == 0, "\(evaluated.stderr)")
        #expect(evaluated.stdout.contains("50 images of 5 identities, 225 genuine and 1000 impostor pairs"), "\(evaluated.stdout)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("folder-roc.png").path))

        // A detector stage: a classifier of digits ("face") against noise ("nonface") lets the
        // digits through and stops a noise image put among them. It learns "face" from the very
        // images it must pass, and the noise is seeded, so the counts below cannot drift by luck.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("detect/face"), withIntermediateDirectories: true)
        for digit in 5...9 {
            for n in 0..<10 {
                try FileManager.default.copyItem(at: dir.appendingPathComponent("people/digit\(digit)/\(n).png"), to: dir.appendingPathComponent("detect/face/\(digit)-\(n).png"))
            }
        }
        var generator = RandomGenerator(seed: 17)
        for n in 0..<20 {
            let folder = dir.appendingPathComponent("detect/nonface")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let noise = (0..<784).map { _ in UInt8.random(in: 0...255, using: &generator) }
            try PNGWriter.encode(width: 28, height: 28, channels: 1, bytes: noise).write(to: folder.appendingPathComponent("\(n).png"))
            if n == 0 { try FileManager.default.copyItem(at: folder.appendingPathComponent("0.png"), to: dir.appendingPathComponent("people/digit5/noise.png")) }
        }
        try """
        dataset: {name: image_folder, path: detect, test_fraction: 0.2}
        model:
          input_shape: [28, 28, 1]
          layers: [{type: Flatten}, {type: Dense, units: 2, activation: softmax}]
        loss: sparse_categorical_crossentropy
        epochs: 20
        batch_size: 8
        output: detector
        """.write(to: dir.appendingPathComponent("detector.yaml"), atomically: true, encoding: .utf8)
        let detectorTrained = try LeptonExecutable.run(["train", "detector.yaml"], in: dir, environment: environment)
        #expect(detectorTrained.status == 0, "\(detectorTrained.stderr)")
        let detected = try LeptonExecutable.run(["gallery", "enroll", "model", "people", "--out", "detected.json", "--detector", "detector"], in: dir)
        #expect(detected.status == 0 && detected.stdout.contains("The detector let 50 of 51 images through"), "\(detected.stdout)\(detected.stderr)")
        let stopped = try LeptonExecutable.run(["gallery", "identify", "model", "detected.json", "people/digit5/noise.png", "--detector", "detector"], in: dir)
        #expect(stopped.status == 0 && stopped.stdout.hasPrefix("identity: none (the detector sees nonface"), "\(stopped.stdout)\(stopped.stderr)")
        let wrongClass = try LeptonExecutable.run(["gallery", "enroll", "model", "people", "--out", "x.json", "--detector", "detector", "--detect-class", "cat"], in: dir)
        #expect(wrongClass.status == 1 && wrongClass.stderr.contains("class names including \"cat\""), "\(wrongClass.stderr)")

        for (arguments, message) in [
            (["gallery", "identify", "model", "gallery.json", "people/digit7/0.png", "--top-k", "0"], "--top-k: expected an integer in 1...100"),
            (["gallery", "verify", "model", "people/digit7/0.png", "people/digit7/1.png", "--threshold", "5"], "--threshold: expected a cosine similarity"),
            (["gallery", "identify", "model", "embed.yaml", "people/digit7/0.png"], "expected a gallery written by lepton gallery enroll"),
            (["embed", "embed.yaml", "--loss", "mse", "--output", "other"], "trains no embedding"),
            (["gallery", "enroll", "model", "people", "--out", "y.json", "--detector", "model"], "class names including \"face\" (--detect-class); it has []"),
        ] {
            let refused = try LeptonExecutable.run(arguments, in: dir, environment: environment)
            #expect(refused.status == 1 && refused.stderr.contains(message), "\(arguments): \(refused.stderr)")
        }
    }
}
