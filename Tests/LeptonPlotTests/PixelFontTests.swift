import LeptonPlot
import Testing

/// The 5×8 font and text drawing (`PixelFont.swift`, `Canvas+Text.swift`).
@Suite struct PixelFontTests {
    /// The bounding box of pixels that are not white.
    static func inkBox(_ canvas: Canvas) -> (minX: Int, minY: Int, maxX: Int, maxY: Int)? {
        var box: (Int, Int, Int, Int)?
        for y in 0..<canvas.height {
            for x in 0..<canvas.width where canvas.pixel(x: x, y: y) != .white {
                box = box.map { (min($0.0, x), min($0.1, y), max($0.2, x), max($0.3, y)) } ?? (x, y, x, y)
            }
        }
        return box.map { (minX: $0.0, minY: $0.1, maxX: $0.2, maxY: $0.3) }
    }

    @Test func everyPrintableCharacterHasAGlyphAndOthersDrawAsQuestionMarks() {
        for code in 33...126 {
            let character = Character(Unicode.Scalar(UInt8(code)))
            let set = (0..<5).flatMap { c in (0..<8).map { r in PixelFont.isSet(character, column: c, row: r) } }
            #expect(set.contains(true), "no ink for \(character)")
        }
        let glyph = { (c: Character) in (0..<5).flatMap { x in (0..<8).map { PixelFont.isSet(c, column: x, row: $0) } } }
        #expect(glyph("é") == glyph("?") && glyph("\u{7}") == glyph("?") && glyph(" ").allSatisfy { !$0 })
        #expect(PixelFont.width(of: "Ab", scale: 2) == 22 && PixelFont.width(of: "", scale: 3) == 0 && PixelFont.height(scale: 2) == 16)
    }

    @Test func lowerCaseDiffersFromUpperCaseAndHasDescenders() throws {
        func draw(_ text: String) throws -> Canvas {
            var canvas = try Canvas(width: 40, height: 20)
            canvas.drawText(text, x: 2, y: 2, color: .black, scale: 2)
            return canvas
        }
        let lower = try draw("Ab"), upper = try draw("AB")
        // "A" is the same in both; the second glyph differs.
        #expect((2..<12).allSatisfy { x in (2..<18).allSatisfy { lower.pixel(x: x, y: $0) == upper.pixel(x: x, y: $0) } })
        #expect(lower.pixels != upper.pixels)
        // "b" has no ink in its top-right where "B" has its bowl.
        #expect(lower.pixel(x: 14 + 2 * 2, y: 2) == .white && upper.pixel(x: 14 + 2 * 2, y: 2) == .black)
        // Only descenders reach the eighth row.
        let g = try draw("g"), a = try draw("a")
        #expect(Self.inkBox(g)!.maxY == 2 + 15 && Self.inkBox(a)!.maxY < 2 + 14)
    }

    @Test func textIsPlacedByItsAlignment() throws {
        var canvas = try Canvas(width: 100, height: 60)
        canvas.drawText("Ab", x: 50, y: 30, color: .black, scale: 2, horizontal: .center, vertical: .middle)
        let box = try #require(Self.inkBox(canvas))
        // The 22 × 16 box is centred on (50, 30): ink within it, touching its left edge.
        #expect(box.minX == 39 && box.maxX <= 60 && box.minY >= 22 && box.maxY < 38, "\(box)")

        var right = try Canvas(width: 100, height: 60)
        right.drawText("Ab", x: 90, y: 50, color: .black, scale: 1, horizontal: .right, vertical: .bottom)
        let rightBox = try #require(Self.inkBox(right))
        #expect(rightBox.maxX <= 89 && rightBox.maxX >= 87 && rightBox.minX == 90 - 11 && rightBox.maxY <= 49, "\(rightBox)")
    }

    @Test func rotatedTextReadsUpwards() throws {
        var canvas = try Canvas(width: 40, height: 60)
        canvas.drawText("loss", x: 10, y: 5, color: .black, scale: 1, rotated: true)
        let box = try #require(Self.inkBox(canvas))
        // Turned: 8 pixels wide, 23 tall; the first letter ("l") at the bottom.
        #expect(box.maxX - box.minX < 8 && box.maxY - box.minY > 16 && box.maxY <= 5 + 22, "\(box)")
        // "l." turned: the "l" (ink in its first row, at the box's left) at the bottom, the "."
        // (ink only in rows 5 and 6) above it.
        var pair = try Canvas(width: 40, height: 60)
        pair.drawText("l.", x: 10, y: 5, color: .black, rotated: true)
        let inkAtLeft = (0..<60).filter { pair.pixel(x: 10, y: $0) != .white }
        #expect(!inkAtLeft.isEmpty && inkAtLeft.allSatisfy { $0 >= 5 + 6 }, "\(inkAtLeft)")
        #expect((5..<11).contains { y in (15...16).contains { pair.pixel(x: $0, y: y) != .white } })
    }
}
