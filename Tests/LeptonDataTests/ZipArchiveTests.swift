import Foundation
import Testing
import LeptonData

/// `.npz` archives (`ZipArchive`, read through `NPYReader.readArchive`) whose entries lie about
/// their sizes: refused before anything is inflated or allocated, or as soon as inflation passes
/// the size claimed.
@Suite struct ZipArchiveTests {
    /// A one-entry zip archive whose directory claims `claimedSize` (uncompressed) for `body`.
    static func archive(name: String, body: [UInt8], method: Int, claimedSize: Int, claimedCompressed: Int? = nil) -> Data {
        func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] { u16(v & 0xFFFF) + u16(v >> 16 & 0xFFFF) }
        let nameBytes = Array(name.utf8), compressed = claimedCompressed ?? body.count
        var local = u32(0x0403_4B50) + u16(20) + u16(0) + u16(method) + u16(0) + u16(0) + u32(0)
        local += u32(compressed) + u32(claimedSize) + u16(nameBytes.count) + u16(0) + nameBytes + body
        var central = u32(0x0201_4B50) + u16(20) + u16(20) + u16(0) + u16(method) + u16(0) + u16(0) + u32(0)
        central += u32(compressed) + u32(claimedSize) + u16(nameBytes.count) + u16(0) + u16(0) + u16(0) + u16(0) + u32(0) + u32(0)
        central += nameBytes
        let end = u32(0x0605_4B50) + u16(0) + u16(0) + u16(1) + u16(1) + u32(central.count) + u32(local.count) + u16(0)
        return Data(local + central + end)
    }

    /// Raw deflate data (a zlib stream without its 2-byte header and 4-byte checksum).
    static func deflate(_ data: Data) -> [UInt8] {
        Array(Gzip.compress(data, format: .zlib).dropFirst(2).dropLast(4))
    }

    func readError(_ archive: Data) throws -> DataError? {
        let dir = try makeTemporaryDirectory("zip")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("a.npz")
        try archive.write(to: url)
        return dataError { _ = try NPYReader.readArchive(url) }
    }

    @Test func aHandBuiltArchiveReads() throws {
        let npy = NPYHeaderTests.file("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", data: [7, 8, 9])
        let dir = try makeTemporaryDirectory("zip")
        defer { try? FileManager.default.removeItem(at: dir) }
        for (method, body) in [(0, [UInt8](npy)), (8, Self.deflate(npy))] {
            let url = dir.appendingPathComponent("ok\(method).npz")
            try Self.archive(name: "a.npy", body: body, method: method, claimedSize: npy.count).write(to: url)
            #expect(try NPYReader.readArchive(url)["a"]?.int32Scalars == [7, 8, 9])
        }
    }

    /// An entry claiming a huge size was allocated as claimed before inflating.
    @Test func entriesClaimingHugeSizesAreRefusedBeforeInflating() throws {
        let small = Self.deflate(Data(count: 1000))
        let huge = try readError(Self.archive(name: "x.npy", body: small, method: 8, claimedSize: 0x7FFF_FFF0))
        #expect(huge?.message.contains("claims 2147483632 bytes, more than its \(small.count) deflated bytes can hold") == true,
                "\(String(describing: huge))")
        let zip64 = try readError(Self.archive(name: "x.npy", body: small, method: 8, claimedSize: 0xFFFF_FFFF))
        #expect(zip64?.message.contains("ZIP64 archives are not supported") == true, "\(String(describing: zip64))")
        let stored = try readError(Self.archive(name: "x.npy", body: [1, 2, 3], method: 0, claimedSize: 1 << 30))
        #expect(stored?.message.contains("stored zip entry x.npy claims 1073741824 bytes but holds 3") == true)
        let pastEnd = try readError(Self.archive(name: "x.npy", body: small, method: 8, claimedSize: 1000, claimedCompressed: 1 << 30))
        #expect(pastEnd?.message.contains("past the end of the archive") == true, "\(String(describing: pastEnd))")
    }

    /// A deflate stream that gives more (a bomb) or fewer bytes than its entry claims.
    @Test func entriesInflatingToAnotherSizeThanClaimedAreRefused() throws {
        let bomb = Self.deflate(Data(count: 4 << 20))   // 4 MiB of zeros in ~4 KB
        let more = try readError(Self.archive(name: "x.npy", body: bomb, method: 8, claimedSize: 1000))
        #expect(more?.message.contains("gives more than 1000 bytes, its zip entry claims 1000") == true, "\(String(describing: more))")
        let fewer = try readError(Self.archive(name: "x.npy", body: Self.deflate(Data(count: 10)), method: 8, claimedSize: 20))
        #expect(fewer?.message.contains("gives 10 bytes, its zip entry claims 20") == true, "\(String(describing: fewer))")
    }
}
