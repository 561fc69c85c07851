import Foundation
import LeptonData
import Testing

/// gzip and zlib (HTTP `deflate`) streams: round trips, the gzip header, corrupt streams, and the
/// output bound that stops a small hostile stream from inflating without limit.
@Suite struct GzipTests {
    let text: Data = {
        var bytes = [UInt8](repeating: 0, count: 20_000)
        for i in bytes.indices { bytes[i] = UInt8((i * 7 + i / 13) % 251) }
        return Data(bytes)
    }()

    @Test(arguments: [Gzip.Format.gzip, .zlib])
    func roundTrips(format: Gzip.Format) throws {
        let packed = Gzip.compress(text, format: format)
        #expect(Gzip.isGzip(packed) == (format == .gzip))
        #expect(try Gzip.decompress(packed, format: format) == text)
        #expect(try Gzip.decompress(Gzip.compress(Data(), format: format), format: format).isEmpty)
    }

    @Test func corruptTruncatedAndOversizeStreamsAreRefused() throws {
        let packed = Gzip.compress(text, format: .zlib)
        #expect(throws: DataError.self) { try Gzip.decompress(packed.prefix(packed.count / 2), format: .zlib) }
        #expect(throws: DataError.self) { try Gzip.decompress(Data("not deflate".utf8), format: .zlib) }
        #expect(throws: DataError.self) { try Gzip.decompress(packed, format: .gzip) }   // wrong wrapper
        let bomb = Gzip.compress(Data(count: 8 << 20), format: .gzip)                    // 8 MiB of zeros
        do {
            _ = try Gzip.decompress(bomb, format: .gzip, maximumSize: 1 << 20)
            Issue.record("a stream inflating past the bound must be refused")
        } catch let error as DataError {
            #expect("\(error)".contains("exceeds 1048576 bytes"))
        }
    }

    /// Inflation stops as soon as the output passes the limit: a bomb whose stream is cut short
    /// after the limit is reported as too large, not as truncated (the cut is never reached).
    @Test func inflationStopsAtTheLimitBeforeReadingFurther() throws {
        let bomb = Gzip.compress(Data(count: 64 << 20), format: .gzip)   // 64 MiB of zeros in ~64 KB
        let cut = bomb.prefix(bomb.count / 2)
        do {
            _ = try Gzip.decompress(cut, format: .gzip, maximumSize: 4 << 20)
            Issue.record("a stream inflating past the bound must be refused")
        } catch let error as DataError {
            #expect("\(error)".contains("exceeds 4194304 bytes"), "\(error)")
        }
        #expect(try Gzip.decompress(Gzip.compress(Data(count: 4 << 20), format: .gzip), maximumSize: 4 << 20).count == 4 << 20)
    }
}
