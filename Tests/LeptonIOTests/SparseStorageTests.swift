import Foundation
import Testing
import LeptonIO
import LeptonNN
import LeptonTensor
import LeptonTrain

/// Pruned weights stored as a bitmask and their non-zero values: exact round trips, a smaller
/// file, tensors that are not sparse left alone, and hostile entries refused with an error
/// naming the tensor, before the dense tensor is allocated.
@Suite struct SparseStorageTests {
    /// A float32 tensor of `count` elements, every `keep`-th one non-zero (the rest exact zeros).
    func pruned(_ count: Int, keep: Int, shape: [Int]) -> Tensor {
        Tensor((0..<count).map { $0 % keep == 0 ? Float($0 + 1) * 0.5 : 0 }, shape: shape)
    }

    /// An int8 tensor's values.
    func bytes(_ t: Tensor) -> [Int8] { Array(UnsafeBufferPointer(start: t.int8s, count: t.count)) }

    /// `tensors` packed, encoded, decoded and unpacked against `expected`.
    func roundTrip(_ tensors: [(String, Tensor)], expected: [String: Tensor] = [:]) throws -> (tensors: [String: Tensor], stored: [String: Tensor]) {
        let (packed, entry) = try SparseStorage.pack(tensors)
        let metadata = entry.map { [SparseStorage.metadataKey: $0] } ?? [:]
        let (stored, readMetadata) = try Safetensors.decode(try Safetensors.encode(packed, metadata: metadata))
        return (try SparseStorage.unpack(stored, metadata: readMetadata, expected: expected, file: "w.safetensors"), stored)
    }

    @Test func mostlyZeroTensorsRoundTripExactlyAndOthersStayDense() throws {
        var kernel = pruned(600, keep: 5, shape: [20, 30]).scalars
        kernel[3] = -0.0  // a negative zero is a value, kept bit for bit
        let int8 = Tensor(int8: (0..<200).map { $0 % 4 == 0 ? Int8($0 % 127) - 60 : 0 }, shape: [200])
        let dense = Tensor((0..<100).map { Float($0) + 1 }, shape: [100])
        let shortZeros = Tensor.zeros([10])
        let tensors: [(String, Tensor)] = [("k", Tensor(kernel, shape: [20, 30])), ("q", int8), ("d", dense), ("b", shortZeros)]
        let (read, stored) = try roundTrip(tensors)
        #expect(Set(stored.keys) == ["k.sparse_mask", "k.sparse_values", "q.sparse_mask", "q.sparse_values", "d", "b"])
        #expect(stored["k.sparse_values"]?.shape == [121], "120 kept values and the negative zero")
        #expect(stored["k.sparse_mask"]?.shape == [75])
        #expect(Set(read.keys) == ["k", "q", "d", "b"])
        #expect(read["k"]?.shape == [20, 30])
        #expect(read["k"]?.scalars.map(\.bitPattern) == kernel.map(\.bitPattern))
        #expect(read["q"].map(bytes) == bytes(int8))
        #expect(read["d"]?.scalars == dense.scalars)
        #expect(read["b"]?.scalars == shortZeros.scalars)
    }

    @Test func halfZerosIsPackedAndLessIsNot() throws {
        let half = Tensor((0..<64).map { $0 % 2 == 0 ? 1 : 0 }, shape: [64])
        let fewer = Tensor((0..<64).map { $0 % 3 == 0 ? 0 : 1 }, shape: [64])
        let (packed, entry) = try SparseStorage.pack([("half", half), ("fewer", fewer)])
        #expect(packed.map(\.0) == ["half.sparse_mask", "half.sparse_values", "fewer"])
        #expect(entry == #"{"half":[64]}"#)
        #expect(try SparseStorage.pack([("dense", fewer)]).metadata == nil)
    }

    @Test func aPrunedModelSavedSparseLoadsIdenticallyFromAFileAFourthTheSize() throws {
        GlobalRandom.seed(5)
        let model = Sequential([Dense(units: 64, activation: .relu), Dense(units: 10)])
        model.build(inputShape: [100], dtype: .float32)
        randomizeState(model)
        for (name, t) in model.namedParameters() where name.hasSuffix("kernel") {
            t.assign(Tensor(t.scalars.enumerated().map { $0.offset % 5 == 0 ? $0.element : 0 }, shape: t.shape))
        }
        try withTemporaryDirectory("sparse") { dir in
            let denseURL = dir.appendingPathComponent("dense"), sparseURL = dir.appendingPathComponent("sparse")
            try ModelFile.save(model, to: denseURL, inputShape: [100])
            try ModelFile.save(model, to: sparseURL, inputShape: [100], sparse: true)
            let loaded = try ModelFile.load(from: sparseURL)
            #expect(loaded.stateDict().map(\.1.scalars) == model.stateDict().map(\.1.scalars))
            let input = Tensor((0..<300).map { Float($0 % 17) / 17 }, shape: [3, 100])
            #expect(loaded.predict(input).scalars == model.predict(input).scalars)
            func size(_ url: URL) throws -> Int {
                try FileManager.default.attributesOfItem(atPath: url.appendingPathComponent(ModelFile.weightsName).path)[.size] as! Int
            }
            let ratio = Double(try size(denseURL)) / Double(try size(sparseURL))
            // Kernels at 80 % zeros: 0.2 × 4 + 1/8 bytes per weight instead of 4; the biases stay dense.
            #expect(ratio > 3.5 && ratio < 4.4, "dense / sparse file size \(ratio)")
            let metadata = try Safetensors.read(sparseURL.appendingPathComponent(ModelFile.weightsName)).metadata
            #expect(SparseStorage.names(in: metadata) == ["layers.0.kernel", "layers.1.kernel"])
        }
    }

    /// The error unpacking gives for a file of `stored` tensors with the sparse metadata `entry`.
    func unpackError(_ stored: [String: Tensor], entry: String, expected: [String: Tensor] = [:]) -> String {
        errorMessage { _ = try SparseStorage.unpack(stored, metadata: [SparseStorage.metadataKey: entry], expected: expected, file: "w") }
    }

    @Test func hostileEntriesAreRefusedByName() throws {
        let mask = Tensor(int8: [0b0000_0101, 0], shape: [2])  // elements 0 and 2 of 16
        let values = Tensor([1, 2], shape: [2])
        let good: [String: Tensor] = ["k.sparse_mask": mask, "k.sparse_values": values]
        #expect(unpackError(good, entry: #"{"k":[4,4]}"#) == "no error")
        #expect(unpackError(good, entry: "[1]").contains("is not a JSON object of tensor names and shapes"))
        #expect(unpackError(good, entry: #"{"k":"4x4"}"#).contains("the shape of 'k' is not a list of integers"))
        #expect(unpackError(good, entry: #"{"k":[4,4]}"#, expected: ["k": Tensor.zeros([2, 8])])
            .contains("sparse tensor 'k' has shape [4, 4]; the model expects [2, 8]"))
        #expect(unpackError(good, entry: #"{"k":[-4,-4]}"#).contains("negative or overflowing size"))
        #expect(unpackError(good, entry: #"{"k":[4294967296,4294967296]}"#).contains("negative or overflowing size"))
        #expect(unpackError(["k.sparse_mask": mask], entry: #"{"k":[4,4]}"#).contains("needs the entries 'k.sparse_mask' and 'k.sparse_values'"))
        #expect(unpackError(good.merging(["k": values]) { a, _ in a }, entry: #"{"k":[4,4]}"#).contains("'k' is stored both dense and sparse"))
        #expect(unpackError(good, entry: #"{"k":[1000000,1000]}"#)
            .contains("'k.sparse_mask' must be int8 of shape [125000000] for 1000000000 elements; got int8 [2]"))
        #expect(unpackError(["k.sparse_mask": mask, "k.sparse_values": Tensor([1, 2, 3], shape: [3])], entry: #"{"k":[16]}"#)
            .contains("'k.sparse_values' must be float32 of shape [2] (the mask's set bits); got float32 [3]"))
        #expect(unpackError(good, entry: #"{"k":[2]}"#).contains("must be int8 of shape [1]"))
        let pastEnd = ["k.sparse_mask": Tensor(int8: [0b0100_0001], shape: [1]), "k.sparse_values": values]
        #expect(unpackError(pastEnd, entry: #"{"k":[5]}"#).contains("'k.sparse_mask' sets bits past the tensor's 5 elements"))
    }
}
