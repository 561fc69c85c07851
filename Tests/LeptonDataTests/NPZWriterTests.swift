import Foundation
import LeptonData
import LeptonTensor
import Testing

/// `.npz` archives written by ``NPZWriter`` read back through ``NPYReader`` with their names,
/// shapes (scalars included) and values; int32 values widened to int64 stay exact.
@Suite struct NPZWriterTests {
    @Test func archivesReadBackByName() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("npz-writer-\(UUID().uuidString).npz")
        defer { try? FileManager.default.removeItem(at: url) }
        let floats = Tensor([1.5, -2, 0.25, 3, 4, 5], shape: [2, 3])
        let ids = Tensor(int32: [Int32.max, -7], shape: [2])
        let rate = Tensor(int32: [16000], shape: [])
        let data = try NPZWriter.archive([("probs/0:0", NPYArray(floats)), ("ids", NPYArray(ids, as: .int64)),
                                          ("sr", NPYArray(rate, as: .int64)), ("mask", NPYArray(Tensor(int32: [0, 3], shape: [2]), as: .bool))])
        try data.write(to: url)
        let read = try NPYReader.readArchive(url)
        #expect(Set(read.keys) == ["probs/0:0", "ids", "sr", "mask"])
        #expect(read["probs/0:0"]?.shape == [2, 3] && read["probs/0:0"]?.scalars == floats.scalars)
        #expect(read["ids"]?.int32Scalars == [Int32.max, -7])
        #expect(read["sr"]?.shape == [] && read["sr"]?.int32Scalars == [16000])
        #expect(read["mask"]?.int32Scalars == [0, 1])
    }

    @Test func headersAreAlignedAndTyped() {
        let npy = NPYArray(Tensor(int32: [1, 2, 3], shape: [3]), as: .int64).npy
        let headerLength = Int(npy[8]) | Int(npy[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        let header = String(decoding: npy[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.contains("'descr': '<i8'") && header.contains("'shape': (3,)") && header.hasSuffix("\n"))
        #expect(npy.count == 10 + headerLength + 24)
    }
}
