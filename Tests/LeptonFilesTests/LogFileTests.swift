import Foundation
import LeptonFiles
import Testing

/// Logs are appended to, or started again only over an earlier log; never over other data.
@Suite struct LogFileTests {
    @Test func appendKeepsWhatIsThereAndReportsTheHeader() throws {
        let dir = try OutputPathTests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("log.csv")
        let first = try LogFile(url: url, mode: .append)
        #expect(first.existingHeader == nil)
        try first.write(line: "epoch,loss")
        try first.write(line: "0,1.5")
        first.close()
        let again = try LogFile(url: url, mode: .append)
        #expect(again.existingHeader == "epoch,loss")
        try again.write(line: "1,1.2")
        again.close()
        #expect(try String(contentsOf: url, encoding: .utf8) == "epoch,loss\n0,1.5\n1,1.2\n")
    }

    @Test func replacingStartsAnEarlierLogAgainButRefusesOtherFiles() throws {
        let dir = try OutputPathTests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("log.csv")
        try "epoch,loss\n0,1\n".write(to: log, atomically: true, encoding: .utf8)
        let replaced = try LogFile(url: log, mode: .replaceLog(header: "epoch"))
        try replaced.write(line: "epoch,acc")
        replaced.close()
        #expect(try String(contentsOf: log, encoding: .utf8) == "epoch,acc\n")

        let thesis = dir.appendingPathComponent("thesis.txt")
        try "Chapter 1\n".write(to: thesis, atomically: true, encoding: .utf8)
        let error = #expect(throws: OutputPathError.self) { try LogFile(url: thesis, mode: .replaceLog(header: "epoch")) }
        #expect(error?.message.contains("holds something other than a log") == true)
        #expect(try String(contentsOf: thesis, encoding: .utf8) == "Chapter 1\n")
    }

    @Test func devicesFIFOsAndLinksAreRefused() throws {
        let dir = try OutputPathTests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("target.txt")
        try "keep".write(to: target, atomically: true, encoding: .utf8)
        let link = dir.appendingPathComponent("link.csv")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        for url in [URL(fileURLWithPath: "/dev/full"), try OutputPathTests.fifo(in: dir), link, dir] {
            #expect(throws: OutputPathError.self) { try LogFile(url: url, mode: .append) }
        }
        #expect(try String(contentsOf: target, encoding: .utf8) == "keep")
        #expect(FileKind(atPath: "/dev/full") == .characterDevice)
    }
}
