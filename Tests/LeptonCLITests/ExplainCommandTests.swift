import Foundation
import LeptonTestSupport
import Testing

/// `lepton explain MODEL INPUT --method M --out FILE` on a tiny CNN trained by `lepton train`.
@Suite struct ExplainCommandTests {
    static let config = """
    dataset: {name: mnist}
    model:
      input_shape: [28, 28, 1]
      layers:
        - {type: Rescaling, scale: 0.00392156862}
        - {type: Conv2D, filters: 4, kernel_size: [3, 3], activation: relu}
        - {type: MaxPooling2D, pool_size: [2, 2]}
        - {type: Flatten}
        - {type: Dense, units: 10, activation: softmax}
    optimizer: {name: adam, learning_rate: 0.001}
    loss: sparse_categorical_crossentropy
    metrics: [accuracy]
    epochs: 1
    batch_size: 16
    output: model

    """

    /// A folder with a tiny trained CNN (`model`), a 28×28 grey PNG digit and the same as `.npy`.
    static func prepare() throws -> URL {
        let dir = try LeptonExecutable.scratchFolder("lepton-explain")
        try PlatformClientTests.writeMNIST(into: dir.appendingPathComponent("mnist"), count: 64)
        try config.write(to: dir.appendingPathComponent("tiny.yaml"), atomically: true, encoding: .utf8)
        let trained = try LeptonExecutable.run(["train", "tiny.yaml"], in: dir, environment: ["LEPTON_DATA_DIR": dir.path])
        try #require(trained.status == 0, "\(trained.stderr)")
        // A bright vertical bar on black, as a digit "1".
        let pixels = (0..<784).map { i -> UInt8 in (i % 28 >= 12 && i % 28 < 16 && i / 28 >= 4 && i / 28 < 24) ? 255 : 0 }
        try TinyPNG.grey(width: 28, height: 28, pixels: pixels).write(to: dir.appendingPathComponent("digit.png"))
        try TinyPNG.npy(pixels.map(Float.init), shape: [28, 28, 1]).write(to: dir.appendingPathComponent("digit.npy"))
        return dir
    }

    @Test func everyImageMethodWritesADecodablePNG() async throws {
        let dir = try Self.prepare()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (method, input) in [("saliency", "digit.png"), ("smoothgrad", "digit.npy"), ("integrated-gradients", "digit.png"),
                                ("gradcam", "digit.png"), ("occlusion", "digit.npy")] {
            let out = "\(method).png"
            let result = try LeptonExecutable.run(["explain", "model", input, "--method", method, "--out", out, "--steps", "8",
                                                   "--samples", "4", "--seed", "1"], in: dir)
            #expect(result.status == 0, "\(method): \(result.stderr)")
            #expect(result.stdout.contains("predicted class: ") && result.stdout.contains("probability ")
                    && result.stdout.contains("method: \(method)") && result.stdout.contains(" ms"), "\(result.stdout)")
            #expect(result.stdout.contains("completeness error: ") == (method == "integrated-gradients"), "\(result.stdout)")
            let size = try TinyPNG.decodedSize(dir.appendingPathComponent(out))
            #expect(size == "888x326", "\(method): \(size)")
        }
        let repeated = try LeptonExecutable.run(["explain", "model", "digit.png", "--method", "saliency", "--out", "r.png", "--repeat", "3"], in: dir)
        #expect(repeated.status == 0 && repeated.stdout.contains("per image (mean of 2 after a warm-up)"), "\(repeated.stdout)\(repeated.stderr)")
    }

    @Test func badMethodsAndFlagsAreOneLineErrors() async throws {
        let dir = try Self.prepare()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [([String], String)] = [
            (["--method", "lime"], "--method lime: expected one of saliency, smoothgrad"),
            (["--method", "integrated-gradients", "--steps", "0"], "--steps: expected an integer in 1...10000, got 0"),
            (["--method", "occlusion", "--window", "29"], "--window 29: larger than the image (28×28)"),
            (["--method", "attention"], "MultiHeadAttention or TransformerEncoder"),
            (["--method", "saliency", "--target", "10"], "target class 10 is out of range"),
            (["--method", "saliency", "--rule", "simpson"], "--rule simpson"),
        ]
        for (flags, message) in cases {
            let result = try LeptonExecutable.run(["explain", "model", "digit.png", "--out", "x.png"] + flags, in: dir)
            let lines = result.stderr.split(separator: "\n")
            #expect(result.status == 1 && lines.count == 1 && lines[0].hasPrefix("error: ") && result.stderr.contains(message),
                    "\(flags): \(result.stderr)")
        }
        // Grad-CAM on a model without a convolution.
        try PlatformClientTests.config.replacingOccurrences(of: "batch_size: 16", with: "batch_size: 16\noutput: dense")
            .write(to: dir.appendingPathComponent("dense.yaml"), atomically: true, encoding: .utf8)
        let trained = try LeptonExecutable.run(["train", "dense.yaml"], in: dir, environment: ["LEPTON_DATA_DIR": dir.path])
        try #require(trained.status == 0, "\(trained.stderr)")
        let gradcam = try LeptonExecutable.run(["explain", "dense", "digit.png", "--method", "gradcam", "--out", "x.png"], in: dir)
        #expect(gradcam.status == 1 && gradcam.stderr.contains("needs a Conv2D layer") && gradcam.stderr.split(separator: "\n").count == 1,
                "\(gradcam.stderr)")
        let missing = try LeptonExecutable.run(["explain", "model", "nothing.png", "--method", "saliency", "--out", "x.png"], in: dir)
        #expect(missing.status == 1 && missing.stderr.hasPrefix("error: "), "\(missing.stderr)")
    }
}

/// `lepton explain` on a text model (TextVectorization → Embedding → Bidirectional LSTM → Dense).
@Suite struct ExplainTextCommandTests {
    static let config = """
    dataset: {name: sentiment, test_fraction: 0.25, seed: 1, max_vocabulary: 100, sequence_length: 8}
    model:
      input_shape: [8]
      layers:
        - {type: Embedding, input_dim: 100, output_dim: 8}
        - {type: Bidirectional, layer: {type: LSTM, units: 4}}
        - {type: Dense, units: 1, activation: sigmoid}
    optimizer: {name: adam, learning_rate: 0.01}
    loss: binary_crossentropy
    metrics: [accuracy]
    epochs: 1
    batch_size: 16
    output: model

    """

    @Test func tokenAttributionsAreAnHTMLPage() async throws {
        let dir = try LeptonExecutable.scratchFolder("lepton-explain-text")
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("sentiment")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let lines = (0..<64).map { i in i % 2 == 0 ? "\(i)\t2.5\ta great and moving film number \(i % 5)" : "\(i)\t-2.5\ta dull and boring plot number \(i % 5)" }
        try lines.joined(separator: "\n").write(to: folder.appendingPathComponent("movieReviewSnippets.tsv"), atomically: true, encoding: .utf8)
        try Self.config.write(to: dir.appendingPathComponent("text.yaml"), atomically: true, encoding: .utf8)
        let trained = try LeptonExecutable.run(["train", "text.yaml"], in: dir, environment: ["LEPTON_DATA_DIR": dir.path])
        try #require(trained.status == 0, "\(trained.stderr)")
        let result = try LeptonExecutable.run(["explain", "model", "--text", "A great, moving film!", "--method", "integrated-gradients",
                                               "--out", "tokens.html", "--steps", "16"], in: dir)
        #expect(result.status == 0 && result.stdout.contains("completeness error: ") && result.stdout.contains("predicted class: "),
                "\(result.stdout)\(result.stderr)")
        let html = try String(contentsOf: dir.appendingPathComponent("tokens.html"), encoding: .utf8)
        #expect(html.contains(">great</span>") && html.contains(">moving</span>") && html.contains(">film</span>"), "\(html)")
        try "a dull film\n".write(to: dir.appendingPathComponent("review.txt"), atomically: true, encoding: .utf8)
        let fromFile = try LeptonExecutable.run(["explain", "model", "review.txt", "--method", "saliency", "--out", "file.html"], in: dir)
        #expect(fromFile.status == 0 && fromFile.stdout.contains("method: saliency"), "\(fromFile.stderr)")
        let picture = try LeptonExecutable.run(["explain", "model", "review.txt", "--method", "saliency", "--out", "tokens.png"], in: dir)
        #expect(picture.status == 0 && FileManager.default.fileExists(atPath: dir.appendingPathComponent("tokens.png").path), "\(picture.stderr)")
        for (flags, message) in [(["--method", "gradcam", "--out", "x.html"], "for a text model use saliency"),
                                 (["--method", "saliency", "--out", "x.txt"], "give a file ending in .html or .png"),
                                 (["--method", "attention", "--out", "x.png"], "MultiHeadAttention")] {
            let refused = try LeptonExecutable.run(["explain", "model", "--text", "great"] + flags, in: dir)
            #expect(refused.status == 1 && refused.stderr.hasPrefix("error: ") && refused.stderr.contains(message)
                    && refused.stderr.split(separator: "\n").count == 1, "\(flags): \(refused.stderr)")
        }
        // A small Transformer: its attention weights over the 8 token positions as a PNG.
        try Self.config.replacingOccurrences(of: """
                - {type: Embedding, input_dim: 100, output_dim: 8}
                - {type: Bidirectional, layer: {type: LSTM, units: 4}}
            """, with: """
                - {type: TokenAndPositionEmbedding, vocabulary_size: 100, sequence_length: 8, embedding_dim: 8}
                - {type: TransformerEncoder, num_layers: 1, model_dim: 8, num_heads: 2, intermediate_dim: 16}
                - {type: Flatten}
            """).replacingOccurrences(of: "output: model", with: "output: transformer")
            .write(to: dir.appendingPathComponent("transformer.yaml"), atomically: true, encoding: .utf8)
        let transformer = try LeptonExecutable.run(["train", "transformer.yaml"], in: dir, environment: ["LEPTON_DATA_DIR": dir.path])
        try #require(transformer.status == 0, "\(transformer.stderr)")
        let attention = try LeptonExecutable.run(["explain", "transformer", "--text", "a great film", "--method", "attention",
                                                  "--out", "attention.png"], in: dir)
        #expect(attention.status == 0 && attention.stdout.contains("8 × 8 positions"), "\(attention.stdout)\(attention.stderr)")
        #expect(try TinyPNG.decodedSize(dir.appendingPathComponent("attention.png")) == "504x526")
        let tokens = try LeptonExecutable.run(["explain", "transformer", "--text", "a great film", "--method", "integrated-gradients",
                                               "--out", "transformer.html"], in: dir)
        #expect(tokens.status == 0 && tokens.stdout.contains("completeness error: "), "\(tokens.stdout)\(tokens.stderr)")
    }
}

/// Writes the small files the explain tests feed the command, and reads back a PNG's size.
enum TinyPNG {
    /// An 8-bit grey PNG with stored (uncompressed) deflate blocks.
    static func grey(width: Int, height: Int, pixels: [UInt8]) -> Data {
        var raw = [UInt8]()
        for y in 0..<height { raw.append(0); raw += pixels[(y * width)..<((y + 1) * width)] }
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65_535, raw.count - offset), last: UInt8 = offset + n == raw.count ? 1 : 0
            zlib += [last, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            zlib += raw[offset..<(offset + n)]
            offset += n
        } while offset < raw.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw { a = (a + UInt32(byte)) % 65_521; b = (b + a) % 65_521 }
        zlib += bigEndian((b << 16) | a)
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, 0, 0, 0, 0])
        png += chunk("IDAT", zlib)
        png += chunk("IEND", [])
        return Data(png)
    }

    /// A little-endian float32 `.npy` array.
    static func npy(_ values: [Float], shape: [Int]) -> Data {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(shape.map(String.init).joined(separator: ", ")),), }"
        while (10 + header.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        data += Data(header.utf8)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data += Data($0) } }
        return data
    }

    /// `WIDTHxHEIGHT` of a PNG as Pillow decodes it (every pixel read), or the decoder's error.
    static func decodedSize(_ url: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [NumPyOracle.pythonExecutable, "-c",
                             "import sys; from PIL import Image; im = Image.open(sys.argv[1]); im.load(); print(f'{im.size[0]}x{im.size[1]}')",
                             url.path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            : "Pillow failed: " + String(decoding: stderr, as: UTF8.self)
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

    private static func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + body
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in typed {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return bigEndian(UInt32(body.count)) + typed + bigEndian(~crc)
    }
}
