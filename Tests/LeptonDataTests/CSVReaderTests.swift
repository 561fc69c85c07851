import Foundation
import Testing
import LeptonTensor
import LeptonData

@Suite struct CSVReaderTests {
    @Test func parsesQuotedCellsWithSeparatorsQuotesAndLineBreaks() throws {
        let text = "name,comment,value\n\"Smith, J\",\"said \"\"hi\"\"\",1.5\nplain,\"two\nlines\",2\n"
        let table = try CSVTable(text: text)
        #expect(table.columns == ["name", "comment", "value"])
        #expect(table.rows == [["Smith, J", "said \"hi\"", "1.5"], ["plain", "two\nlines", "2"]])
        #expect(table.lineNumbers == [2, 3])
        #expect(try table.stringColumn("name") == ["Smith, J", "plain"])
        #expect(try table.floatColumns(["value"]).scalars == [1.5, 2])
    }

    @Test func handlesCRLFAndAMissingFinalNewline() throws {
        let table = try CSVTable(text: "a,b\r\n1,2\r\n3,4")
        #expect(table.columns == ["a", "b"])
        #expect(table.rows == [["1", "2"], ["3", "4"]])
        let x = try table.floatColumns(["b", "a"])
        #expect(x.shape == [2, 2])
        #expect(x.scalars == [2, 1, 4, 3])
        // A quoted cell spanning a CRLF line break still counts lines for later rows.
        let quoted = try CSVTable(text: "a,b\r\n\"x\r\ny\",1\r\nz,\r\n")
        #expect(quoted.rows[0] == ["x\r\ny", "1"])
        #expect(quoted.lineNumbers == [2, 4])
        let error = dataError { _ = try quoted.floatColumns(["b"]) }
        #expect(error?.message.contains("line 4 column 'b'") == true, "\(String(describing: error))")
    }

    @Test func typesColumnsAndTrimsWhitespace() throws {
        let table = try CSVTable(text: "x, y ,label\n1, 2.5 ,cat\n-3e2,4,dog\n")
        #expect(table.columns == ["x", "y", "label"])
        #expect(table.isNumeric("x") && table.isNumeric("y"))
        #expect(!table.isNumeric("label"))
        #expect(!table.isNumeric("no such column"))
        #expect(try table.floatColumns(["x", "y"]).scalars == [1, 2.5, -300, 4])
        #expect(try table.stringColumn("label") == ["cat", "dog"])
    }

    @Test func reportsMissingAndInvalidValuesWithTheirLineNumbers() throws {
        // Line 3 is blank and skipped, so the second row is on line 4 (not "line 3" from its index).
        let text = "a,b\n1,2\n\n,4\n5,NA\n6,nan\n7,x\n"
        let table = try CSVTable(text: text, source: "data.csv")
        #expect(table.rows.count == 5)
        #expect(table.lineNumbers == [2, 4, 5, 6, 7])
        #expect(table.isNumeric("a") && !table.isNumeric("b"))
        let error = dataError { _ = try table.floatColumns(["a", "b"]) }
        let message = error?.description ?? ""
        #expect(message.hasPrefix("data.csv: "))
        #expect(message.contains("missing values at line 4 column 'a', line 5 column 'b', line 6 column 'b'"), "\(message)")
        #expect(message.contains("non-numeric values at line 7 column 'b' ('x')"), "\(message)")
    }

    @Test func rejectsRaggedRowsNamingTheLine() {
        let error = dataError { _ = try CSVTable(text: "a,b,c\n1,2,3\n4,5\n", source: "r.csv") }
        #expect(error?.description == "r.csv: line 3 has 2 cells, the header has 3")
        let tooMany = dataError { _ = try CSVTable(text: "a,b\n1,2,3\n") }
        #expect(tooMany?.message.contains("line 2 has 3 cells") == true)
    }

    @Test func rejectsUnknownColumnsEmptyFilesAndUnclosedQuotes() throws {
        let table = try CSVTable(text: "a,b\n1,2\n")
        let unknown = dataError { _ = try table.floatColumns(["a", "c"]) }
        #expect(unknown?.message == "no column 'c'; columns are a, b")
        #expect(dataError { _ = try table.stringColumn("z") } != nil)
        #expect(dataError { _ = try CSVTable(text: "") }?.message.contains("empty") == true)
        #expect(dataError { _ = try CSVTable(text: "a,b\n\"1,2\n") }?.message.contains("line 2: a quoted cell is not closed") == true)
    }

    @Test func readsFilesWithOtherSeparators() throws {
        let dir = try makeTemporaryDirectory("csv")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("t.tsv")
        try "a;b\n1;2\n".write(to: url, atomically: true, encoding: .utf8)
        let table = try CSVTable(url: url, separator: ";")
        #expect(table.source == url.path)
        #expect(try table.floatColumns(["a", "b"]).scalars == [1, 2])
        #expect(dataError { _ = try CSVTable(url: dir.appendingPathComponent("missing.csv")) } != nil)
    }
}
